/*
 * test_xml.c: unit tests for the XML body parser in contracts/match/xml.c: the
 * tree it builds (elements, attributes, trimmed text, namespaces) and the
 * exact error, code and position it reports for malformed or hostile input.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "contracts/match/internal.h"
#include "tests/unit/check_main.h"

/*
 * Parses from an exact-size heap copy with no NUL after it, so that under
 * ASan any read past `len` is caught rather than hitting a terminator.
 */
static struct xml_node *parse_n(const char *s, size_t len, struct err *e)
{
	char *copy = xmalloc(len);
	struct xml_node *n;
	memcpy(copy, s, len);
	err_clear(e);
	n = xml_parse(copy, len, e);
	free(copy);
	return n;
}

static struct xml_node *parse(const char *s, struct err *e)
{
	return parse_n(s, strlen(s), e);
}

/* Asserts that `s` fails with `code`, message `msg` at line:col. */
static void expect_error(const char *s, enum err_code code, const char *msg,
			 int line, int col)
{
	struct err e;
	struct xml_node *n = parse(s, &e);
	ck_assert_ptr_null(n);
	ck_assert_int_eq(e.code, code);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_int_eq(e.line, line);
	ck_assert_int_eq(e.col, col);
}

static void expect_fails(const char *s)
{
	struct err e;
	struct xml_node *n = parse(s, &e);
	ck_assert_msg(n == NULL, "accepted: %s", s);
	ck_assert_int_ne(e.code, ERR_NONE);
	ck_assert_int_gt(e.line, 0);
}

START_TEST(test_structure)
{
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				  "<!-- an order -->\n"
				  "<order id=\"7\" status='open'>\n"
				  "  <item sku=\"A1\" qty=\"2\">Widget</item>\n"
				  "  <?keep going?>\n"
				  "  <item sku=\"B2\"/>\n"
				  "  <note>ok</note>\n"
				  "</order>\n";
	struct err e;
	struct xml_node *r = parse(doc, &e), *c;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(e.code, ERR_NONE);
	ck_assert_str_eq(r->name, "order");
	ck_assert_ptr_null(r->prefix);
	ck_assert_ptr_null(r->ns);
	ck_assert_ptr_null(r->parent);
	ck_assert_str_eq(r->text, "");
	ck_assert_uint_eq(r->nnsdecls, 0);
	ck_assert_uint_eq(r->nattrs, 2);
	ck_assert_str_eq(r->attrs[0].name, "id");
	ck_assert_str_eq(r->attrs[0].value, "7");
	ck_assert_ptr_null(r->attrs[0].ns);
	ck_assert_ptr_null(r->attrs[0].prefix);
	ck_assert_str_eq(r->attrs[1].name, "status");
	ck_assert_str_eq(r->attrs[1].value, "open");
	ck_assert_uint_eq(r->nchildren, 3);

	c = r->children[0];
	ck_assert_str_eq(c->name, "item");
	ck_assert_ptr_eq(c->parent, r);
	ck_assert_str_eq(c->text, "Widget");
	ck_assert_uint_eq(c->nattrs, 2);
	ck_assert_str_eq(c->attrs[0].name, "sku");
	ck_assert_str_eq(c->attrs[0].value, "A1");
	ck_assert_str_eq(c->attrs[1].name, "qty");
	ck_assert_str_eq(c->attrs[1].value, "2");
	ck_assert_uint_eq(c->nchildren, 0);

	c = r->children[1];
	ck_assert_str_eq(c->name, "item");
	ck_assert_ptr_eq(c->parent, r);
	ck_assert_str_eq(c->text, "");
	ck_assert_uint_eq(c->nattrs, 1);
	ck_assert_str_eq(c->attrs[0].value, "B2");

	c = r->children[2];
	ck_assert_str_eq(c->name, "note");
	ck_assert_str_eq(c->text, "ok");
	ck_assert_ptr_eq(c->parent, r);
	xml_free(r);
}
END_TEST

START_TEST(test_entities)
{
	struct err e;
	struct xml_node *r = parse("<a t=\"&lt;&amp;&#65;&#x42;&quot;\" "
				   "u='&apos;x&#10;y\tz'>"
				   "&lt;&gt;&amp;&apos;&quot; &#233;&#xe9;"
				   "&#x1F600;&#x20AC;</a>",
				   &e);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->attrs[0].value, "<&AB\"");
	/* a literal tab is normalised to a space, a referenced LF is kept */
	ck_assert_str_eq(r->attrs[1].value, "'x\ny z");
	ck_assert_str_eq(r->text, "<>&'\" \xC3\xA9\xC3\xA9"
				  "\xF0\x9F\x98\x80\xE2\x82\xAC");
	xml_free(r);

	expect_error("<a>&#0;</a>", ERR_SYNTAX,
		     "character reference to invalid code point", 1, 4);
	expect_error("<a>&#xD800;</a>", ERR_SYNTAX,
		     "character reference to invalid code point", 1, 4);
	expect_error("<a>&#x110000;</a>", ERR_SYNTAX,
		     "character reference to invalid code point", 1, 4);
	expect_error("<a>&#99999999999999999999;</a>", ERR_SYNTAX,
		     "character reference to invalid code point", 1, 4);
	expect_error("<a>&#x;</a>", ERR_SYNTAX, "invalid character reference",
		     1, 4);
	expect_error("<a>&#12a;</a>", ERR_SYNTAX, "invalid character reference",
		     1, 4);
	expect_error("<a>&nbsp;</a>", ERR_SYNTAX, "undefined entity &nbsp;", 1,
		     4);
	expect_error("<a>a & b</a>", ERR_SYNTAX,
		     "'&' must start a reference (write &amp;)", 1, 6);
	expect_error("<a>&amp</a>", ERR_SYNTAX, "entity reference without ';'",
		     1, 4);
	expect_error("<a x=\"&bogus;\"/>", ERR_SYNTAX,
		     "undefined entity &bogus;", 1, 7);
}
END_TEST

START_TEST(test_cdata)
{
	struct err e;
	struct xml_node *r = parse(
		"<a> x<![CDATA[<b>&amp;</b>]]>y <c/><![CDATA[ z ]]></a>", &e);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->text, "x<b>&amp;</b>y  z");
	ck_assert_uint_eq(r->nchildren, 1);
	xml_free(r);

	expect_error("<a><![CDATA[x</a>", ERR_SYNTAX,
		     "unterminated CDATA section", 1, 4);
	expect_error("<a>x]]>y</a>", ERR_SYNTAX, "']]>' is not allowed in text",
		     1, 5);
	expect_error("<![CDATA[x]]><a/>", ERR_SYNTAX, "invalid markup", 1, 1);
}
END_TEST

START_TEST(test_namespaces)
{
	static const char doc[] =
		"<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:q='urn:p'"
		" p:at=\"1\" plain=\"2\" xml:lang=\"en\">\n"
		"  <p:c q:x=\"3\"/>\n"
		"  <q:c/>\n"
		"  <d/>\n"
		"  <p:e xmlns:p=\"urn:other\"><p:f/></p:e>\n"
		"  <g xmlns=\"\"><h/></g>\n"
		"  <p:i/>\n"
		"</r>";
	struct err e;
	struct xml_node *r = parse(doc, &e), *c;

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "r");
	ck_assert_ptr_null(r->prefix);
	ck_assert_str_eq(r->ns, "urn:d");

	/* declarations are kept apart from attributes */
	ck_assert_uint_eq(r->nnsdecls, 3);
	ck_assert_str_eq(r->nsdecls[0].name, "");
	ck_assert_str_eq(r->nsdecls[0].value, "urn:d");
	ck_assert_str_eq(r->nsdecls[1].name, "p");
	ck_assert_str_eq(r->nsdecls[1].value, "urn:p");
	ck_assert_str_eq(r->nsdecls[2].name, "q");
	ck_assert_str_eq(r->nsdecls[2].value, "urn:p");
	ck_assert_uint_eq(r->nattrs, 3);
	ck_assert_str_eq(r->attrs[0].name, "at");
	ck_assert_str_eq(r->attrs[0].prefix, "p");
	ck_assert_str_eq(r->attrs[0].ns, "urn:p");
	/* unprefixed attributes are in no namespace, default or not */
	ck_assert_str_eq(r->attrs[1].name, "plain");
	ck_assert_ptr_null(r->attrs[1].prefix);
	ck_assert_ptr_null(r->attrs[1].ns);
	ck_assert_str_eq(r->attrs[2].name, "lang");
	ck_assert_str_eq(r->attrs[2].ns,
			 "http://www.w3.org/XML/1998/namespace");

	ck_assert_uint_eq(r->nchildren, 6);
	c = r->children[0];
	ck_assert_str_eq(c->name, "c");
	ck_assert_str_eq(c->prefix, "p");
	ck_assert_str_eq(c->ns, "urn:p");
	ck_assert_uint_eq(c->nnsdecls, 0);
	ck_assert_str_eq(c->attrs[0].name, "x");
	ck_assert_str_eq(c->attrs[0].prefix, "q");
	ck_assert_str_eq(c->attrs[0].ns, "urn:p");

	/* two prefixes, one URI: the same namespace */
	c = r->children[1];
	ck_assert_str_eq(c->name, "c");
	ck_assert_str_eq(c->prefix, "q");
	ck_assert_str_eq(c->ns, r->children[0]->ns);

	c = r->children[2];
	ck_assert_str_eq(c->name, "d");
	ck_assert_str_eq(c->ns, "urn:d");

	/* a redefinition applies to the element and its descendants */
	c = r->children[3];
	ck_assert_str_eq(c->ns, "urn:other");
	ck_assert_uint_eq(c->nnsdecls, 1);
	ck_assert_str_eq(c->nsdecls[0].name, "p");
	ck_assert_str_eq(c->children[0]->ns, "urn:other");
	ck_assert_str_eq(c->children[0]->prefix, "p");

	/* xmlns="" undeclares the default namespace */
	c = r->children[4];
	ck_assert_ptr_null(c->ns);
	ck_assert_uint_eq(c->nattrs, 0);
	ck_assert_str_eq(c->nsdecls[0].name, "");
	ck_assert_str_eq(c->nsdecls[0].value, "");
	ck_assert_ptr_null(c->children[0]->ns);

	/* ... and only there: the outer binding is back for siblings */
	c = r->children[5];
	ck_assert_str_eq(c->ns, "urn:p");
	xml_free(r);

	/* declarations apply to the tag they are on, wherever written */
	r = parse("<p:a p:x='1' xmlns:p='urn:late'/>", &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->ns, "urn:late");
	ck_assert_str_eq(r->attrs[0].ns, "urn:late");
	xml_free(r);
}
END_TEST

START_TEST(test_namespace_errors)
{
	expect_error("<a>\n <b:c/></a>", ERR_SYNTAX,
		     "undeclared namespace prefix 'b'", 2, 3);
	expect_error("<a b:x='1'/>", ERR_SYNTAX,
		     "undeclared namespace prefix 'b'", 1, 4);
	/* a prefix goes out of scope with its element */
	expect_error("<a><b xmlns:p='urn:p'/><p:c/></a>", ERR_SYNTAX,
		     "undeclared namespace prefix 'p'", 1, 25);
	expect_error("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>", ERR_SYNTAX,
		     "duplicate attribute 'x' in namespace 'u'", 1, 36);
	expect_error("<a xmlns:p=''/>", ERR_SYNTAX,
		     "prefix 'p' cannot be bound to an empty URI", 1, 4);
	expect_error("<a xmlns:xml='urn:x'/>", ERR_SYNTAX,
		     "the xml prefix cannot be rebound", 1, 4);
	expect_error("<xmlns:a/>", ERR_SYNTAX,
		     "the xmlns prefix is reserved for declarations", 1, 2);
	expect_error("<a:b:c/>", ERR_SYNTAX, "invalid qualified name 'a:b:c'",
		     1, 2);
	expect_fails("<:a/>");
	expect_fails("<a: xmlns:a='u'/>");
}
END_TEST

START_TEST(test_mismatched_tag)
{
	expect_error("<a>\n  <b>text\n  </c>\n</a>", ERR_SYNTAX,
		     "mismatched end tag: expected </b>, found </c>", 3, 3);
	/* the end tag must repeat the prefix as written */
	expect_error("<p:a xmlns:p='u' xmlns:q='u'></q:a>", ERR_SYNTAX,
		     "mismatched end tag: expected </p:a>, found </q:a>", 1,
		     30);
	/* CRLF and lone CR are one line break each; columns count chars */
	expect_error("<a>\r\n\r<b>\xC3\xA9\xC3\xA9</c></a>", ERR_SYNTAX,
		     "mismatched end tag: expected </b>, found </c>", 3, 6);
	/* a BOM does not take a column */
	expect_error("\xEF\xBB\xBF<a></b>", ERR_SYNTAX,
		     "mismatched end tag: expected </a>, found </b>", 1, 4);
	expect_error("<a>\n<b>", ERR_SYNTAX,
		     "unexpected end of input: <b> is not closed", 2, 4);
	expect_error("</a>", ERR_SYNTAX, "unexpected end tag </a>", 1, 1);
}
END_TEST

START_TEST(test_duplicate_attribute)
{
	expect_error("<a x=\"1\" x='2'/>", ERR_SYNTAX,
		     "duplicate attribute 'x'", 1, 10);
	expect_error("<a xmlns:p='u' xmlns:p='v'/>", ERR_SYNTAX,
		     "duplicate attribute 'xmlns:p'", 1, 16);
	expect_error("<a x='1'y='2'/>", ERR_SYNTAX,
		     "expected whitespace, '>' or '/>'", 1, 9);
	expect_error("<a x=1/>", ERR_SYNTAX,
		     "expected a quoted attribute value", 1, 6);
	expect_error("<a x='<'/>", ERR_SYNTAX,
		     "'<' is not allowed in an attribute value", 1, 7);
}
END_TEST

START_TEST(test_doctype)
{
	struct err e;
	struct xml_node *r;

	expect_error("<?xml version='1.0'?>\n"
		     "<!DOCTYPE a [\n"
		     "  <!ENTITY x \"y\">\n"
		     "]>\n"
		     "<a>&x;</a>",
		     ERR_UNSUPPORTED,
		     "DTD entity declarations are not supported", 3, 3);
	/* the billion laughs never get started */
	expect_error("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		     "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;\">]>"
		     "<lolz>&lol2;</lolz>",
		     ERR_UNSUPPORTED,
		     "DTD entity declarations are not supported", 1, 17);
	/* ... nor do external entities */
	expect_error("<!DOCTYPE a [<!ENTITY % ext SYSTEM "
		     "\"file:///etc/passwd\"> %ext;]><a/>",
		     ERR_UNSUPPORTED,
		     "DTD entity declarations are not supported", 1, 14);

	/* a DOCTYPE without entities is skipped, brackets in strings too */
	r = parse("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
		  "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">"
		  "<html/>",
		  &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "html");
	xml_free(r);
	r = parse("<!DOCTYPE a [<!ELEMENT a (#PCDATA)>"
		  "<!ATTLIST a b CDATA \"]>\"><!-- <!ENTITY no> --> ]>"
		  "<a b='1'>t</a>",
		  &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->text, "t");
	xml_free(r);

	expect_error("<a/><!DOCTYPE a>", ERR_SYNTAX, "DOCTYPE not allowed here",
		     1, 5);
	expect_error("<!DOCTYPE a [", ERR_SYNTAX, "unterminated DOCTYPE", 1, 1);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct buf b;
	struct err e;
	struct xml_node *r, *n;
	int i, depth;

	buf_init(&b, 0);
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "<e>");
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "</e>");
	r = parse_n(b.ptr, b.len, &e);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(e.code, ERR_LIMIT);
	ck_assert_str_eq(e.msg, "XML nesting deeper than 256");
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_eq(e.col, 256 * 3 + 1);

	/* 256 levels are fine */
	buf_reset(&b);
	for (i = 0; i < 256; i++)
		buf_addstr(&b, "<e>");
	buf_addstr(&b, "deep");
	for (i = 0; i < 256; i++)
		buf_addstr(&b, "</e>");
	r = parse_n(b.ptr, b.len, &e);
	ck_assert_ptr_nonnull(r);
	for (n = r, depth = 1; n->nchildren; n = n->children[0])
		depth++;
	ck_assert_int_eq(depth, 256);
	ck_assert_str_eq(n->text, "deep");
	xml_free(r);
	buf_release(&b);
}
END_TEST

START_TEST(test_outside_root)
{
	struct err e;
	struct xml_node *r;

	expect_error("<a/>x", ERR_SYNTAX, "content after the root element", 1,
		     5);
	expect_error("<a></a>\n<b/>", ERR_SYNTAX,
		     "content after the root element", 2, 1);
	expect_error("<a/></a>", ERR_SYNTAX, "content after the root element",
		     1, 5);
	expect_error("hello <a/>", ERR_SYNTAX, "text outside the root element",
		     1, 1);
	expect_error("", ERR_SYNTAX, "no root element", 1, 1);
	expect_error("  <!-- only -->\n", ERR_SYNTAX, "no root element", 2, 1);
	expect_error(" <?xml version='1.0'?><a/>", ERR_SYNTAX,
		     "XML declaration allowed only at the start", 1, 2);

	/* whitespace, comments and PIs may follow the root */
	r = parse("\xEF\xBB\xBF<?xml version='1.0'?>\r\n<a/>\n<!-- c -->\n"
		  "<?pi data?>\n  ",
		  &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "a");
	xml_free(r);
}
END_TEST

START_TEST(test_text_trimming)
{
	struct err e;
	struct xml_node *r = parse(
		"<a>\n\t  hello \r\n world \r\n<b> in b </b> tail\t\n"
		"<c>   </c><d>&#160;x&#32;</d></a>",
		&e);

	ck_assert_ptr_nonnull(r);
	/* own text only, CRLF read as LF, inner whitespace untouched */
	ck_assert_str_eq(r->text, "hello \n world \n tail");
	ck_assert_str_eq(r->children[0]->text, "in b");
	ck_assert_str_eq(r->children[1]->text, "");
	/* only XML whitespace is trimmed, not U+00A0 */
	ck_assert_str_eq(r->children[2]->text, "\xC2\xA0x");
	xml_free(r);
}
END_TEST

START_TEST(test_malformed)
{
	expect_error("<a>\x01</a>", ERR_SYNTAX,
		     "invalid character U+0001 in XML", 1, 4);
	expect_error("<a><!-- a -- b --></a>", ERR_SYNTAX,
		     "'--' is not allowed in a comment", 1, 11);
	expect_error("<a><!-- x </a>", ERR_SYNTAX, "unterminated comment", 1,
		     4);
	expect_error("<a><? x?></a>", ERR_SYNTAX, "expected a name", 1, 6);
	expect_error("<a><!ELEMENT></a>", ERR_SYNTAX, "invalid markup", 1, 4);
	expect_error("<a x='1", ERR_SYNTAX, "unterminated attribute value", 1,
		     6);
	expect_error("<a", ERR_SYNTAX, "unterminated start tag <a>", 1, 1);
	expect_error("<1a/>", ERR_SYNTAX, "expected a name", 1, 2);
	expect_fails("<a></a");
	expect_fails("<a><?pi");
}
END_TEST

/*
 * Every proper prefix of a document is malformed; parsing each from an
 * exact-size buffer shows that no path reads past `len`.
 */
START_TEST(test_truncation)
{
	static const char doc[] =
		"\xEF\xBB\xBF<?xml version='1.0'?><!DOCTYPE r [<!ELEMENT r ANY>]>"
		"<r xmlns:p='urn:p' a=\"&amp;&#x41;\"><!-- c --><?pi x?>"
		"<p:c><![CDATA[cd]]>&lt;&#65;</p:c></r>";
	size_t len = strlen(doc), i;
	struct err e;
	struct xml_node *r;

	for (i = 0; i < len; i++) {
		r = parse_n(doc, i, &e);
		ck_assert_msg(r == NULL, "prefix of %zu bytes accepted", i);
		ck_assert_int_ne(e.code, ERR_NONE);
	}
	r = parse_n(doc, len, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->attrs[0].value, "&A");
	ck_assert_str_eq(r->children[0]->text, "cd<A");
	xml_free(r);
}
END_TEST

START_TEST(test_free_null)
{
	struct err e;
	xml_free(NULL);
	err_clear(&e);
	ck_assert_ptr_null(xml_parse(NULL, 0, &e));
	ck_assert_int_eq(e.code, ERR_SYNTAX);
	/* a NULL err is allowed: the caller only learns that it failed */
	ck_assert_ptr_null(xml_parse("<a>", 3, NULL));
}
END_TEST

static Suite *xml_suite(void)
{
	Suite *s = suite_create("xml");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_entities);
	tcase_add_test(tc, test_cdata);
	tcase_add_test(tc, test_namespaces);
	tcase_add_test(tc, test_namespace_errors);
	tcase_add_test(tc, test_mismatched_tag);
	tcase_add_test(tc, test_duplicate_attribute);
	tcase_add_test(tc, test_doctype);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_outside_root);
	tcase_add_test(tc, test_text_trimming);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(xml_suite());
}
