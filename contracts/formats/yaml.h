/*
 * Private to contracts/formats/: what the three files of accord's YAML
 * authoring format share. yaml_tree.c holds the node tree and its loading,
 * scalars, the matcher tags and the Pact shapes both directions spell;
 * yaml_read.c translates a tree into a Pact document; yaml_write.c turns a
 * Pact document into a tree and the tree into text, and reads the text
 * back through yaml_read.c to make sure it says the same.
 */
#ifndef ACCORD_CONTRACTS_FORMATS_YAML_H
#define ACCORD_CONTRACTS_FORMATS_YAML_H

#include "contracts/formats/internal.h"

/*
 * Nodes a document may hold as written, and nodes its aliases may add when
 * expanded (billion laughs): the translation visits at most twice the
 * document plus YAML_MAX_EXPANSION nodes.
 */
#define YAML_MAX_NODES 8000000u
#define YAML_MAX_EXPANSION 1000000u
/* Copies of the example an !eachLike may ask for. */
#define EACHLIKE_MAX_COUNT 10000L
#define CORE_TAG "tag:yaml.org,2002:"
#define STR_TAG CORE_TAG "str"

/*
 * The tree. A mapping holds its keys and values alternately in `kids`. An
 * alias node points at the anchored node and does not own it.
 */
enum ykind { Y_SCALAR, Y_SEQ, Y_MAP, Y_ALIAS };

struct ynode {
	enum ykind kind;
	char *tag;  /* as libyaml resolved it ("!regex", CORE_TAG "str") */
	char *text; /* scalar */
	size_t len;
	int plain; /* scalar in plain style: its type is resolved */
	int flow;  /* writer: emit in flow style */
	int done;  /* parser: the node is complete (aliases may use it) */
	int line, col;
	struct ynode **kids;
	size_t n, cap;
	struct ynode *target; /* Y_ALIAS */
};

struct ynode *ynode_new(enum ykind kind, int line, int col);
/* Appends kid to p's kids; p owns it. */
void ynode_add(struct ynode *p, struct ynode *kid);
/* Frees n and its kids (an alias does not own its target). */
void ynode_free(struct ynode *n);
/* The node an alias points at, or n itself. */
const struct ynode *ynode_deref(const struct ynode *n);

/* Records an error at a position unless one is already set; returns -1. */
int yaml_pos_err(struct err *e, int line, int col, enum err_code code,
		 const char *fmt, ...) ATTR_PRINTF(5, 6);
/*
 * Parses one YAML document into a tree (*nodes: how many nodes it has);
 * NULL with err set on failure.
 */
struct ynode *yaml_load(const char *buf, size_t len, size_t *nodes,
			struct err *e);

/* Plain scalars: what the YAML 1.2 core schema resolves them to. */
enum stype { ST_STR, ST_NULL, ST_TRUE, ST_FALSE, ST_NUM, ST_BAD };

/* Is s one of the NULL-terminated words? */
int yaml_one_of(const char *s, const char *const *words);
/* The type of plain scalar s; *num is set for ST_NUM. */
enum stype yaml_resolve(const char *s, double *num);

/* Matcher tags. */

/* The first five are the forms MATCHER_MAP names (TK_ and the form). */
enum tkind {
	TK_VALUE,  /* the tagged node is the example */
	TK_DATE,   /* the same, or {format, example} */
	TK_PARAMS, /* {<param>: ..., example: ...} */
	TK_EACH,   /* eachKey, eachValue: {rules, value, example} */
	TK_EACHLIKE,
	TK_CONTAINS,
	TK_MATCHERS,
	TK_BODY,      /* a v4 body written out in full */
	TK_UNWRAPPED, /* a legacy v4 body without its wrapper */
};

struct tagdef {
	const char *tag;
	const char *match; /* the matcher it stands for */
	enum tkind kind;
	const char *param; /* TK_PARAMS: the parameter as written in YAML */
	const char *field; /* ... and in the matcher object */
	const char *usage;
};

/* YAML's own tags (!!str, ...) and the non-specific "!" are not matchers. */
int yaml_core_tag(const char *tag);
/* The tag called `tag` ("!regex"), or NULL. */
const struct tagdef *yaml_tag_def(const char *tag);
/* The tag to write for one matcher name (eachLike is chosen apart). */
const struct tagdef *yaml_tag_for_match(const char *match);

/* Pact shapes both directions spell (see yaml_tree.c). */

/* Appends a name as a rule-path segment (".name", "['odd name']"). */
int yaml_seg_field(struct buf *b, const char *name);
/* The Pact v2 key of a rule: "$.body.a", "$.headers['X-Id']", "$.path". */
int yaml_flat_key(struct buf *b, const char *cat, const char *key);
/* The content type a v4 body gets when the YAML does not spell it out. */
void yaml_derive_ct(const cJSON *content, const cJSON *headers,
		    const cJSON *meta, char *out, size_t cap);
/* {name: [values]} as "name=value&..." (NULL if a value is no string). */
cJSON *yaml_query_string(const cJSON *o);

/*
 * yaml_read.c: the reader's state while it translates a tree, which the
 * writer also uses to check that a tag it writes reads back as the rule
 * it stands for.
 */
struct yr {
	struct err *e;
	enum spec_version spec;
	size_t seen;  /* nodes visited, aliases expanded */
	size_t limit; /* ... at most */
	int depth;
	/* locating a JSON pointer: the deepest YAML node behind `want` */
	const char *want;
	struct buf ptr;
	size_t best;
	int found, line, col;
};

/* Starts reading a tree of `nodes` nodes; `want`: a JSON pointer to locate. */
void yr_init(struct yr *r, struct err *e, size_t nodes, const char *want);
void yr_release(struct yr *r);
/* What a tag stands for (see yaml_read.c). */
int yaml_tag_matchers(struct yr *r, const struct ynode *n,
		      const struct tagdef *d, cJSON **ms, const char **combine,
		      const struct ynode **ex, long *count);
/* The Pact document of a YAML contract, or NULL with err set. */
cJSON *yaml_doc_from_tree(struct yr *r, const struct ynode *root0);

#endif
