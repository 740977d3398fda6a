/*
 * states.c: the provider states chosen for the stub's traffic, with the
 * params each was set up with, as --state, PUT /__accord/state and Pact
 * state-change calls (POST /__accord/state) leave them, and the states a
 * request names itself in X-Accord-State. No lock of its own: the stub
 * server changes and reads them under its shared mutex.
 *
 * Provider states follow what the official Pact verifier does with
 * --state-change-url: before each interaction it POSTs one "setup" per
 * state of that interaction (one with state "" when it has none), and a
 * "teardown" only when asked to. So a run of setups accumulates into the
 * chosen state set, and the first setup after traffic (or after a
 * teardown) starts a new set: the sequence of calls always leaves exactly
 * the states of the next interaction chosen.
 */
#include "stubserver/internal.h"

#include <stdlib.h>
#include <string.h>

struct stub_stateset {
	char *states[STUB_STATES_MAX];
	cJSON *state_own
		[STUB_STATES_MAX]; /* each state's own params, or NULL */
	size_t nstates;
	cJSON *state_params; /* merged params of the chosen states */
	int setup_open;	     /* setups since the last request accumulate */
};

struct stub_stateset *stub_stateset_new(const char *initial)
{
	struct stub_stateset *ss = xcalloc(1, sizeof(*ss));
	ss->state_params = cJSON_CreateObject();
	if (initial && initial[0])
		ss->states[ss->nstates++] = xstrdup(initial);
	return ss;
}

static void states_clear(struct stub_stateset *ss)
{
	size_t i;
	for (i = 0; i < ss->nstates; i++) {
		free(ss->states[i]);
		cJSON_Delete(ss->state_own[i]);
		ss->state_own[i] = NULL;
	}
	ss->nstates = 0;
	cJSON_Delete(ss->state_params);
	ss->state_params = cJSON_CreateObject();
}

void stub_stateset_free(struct stub_stateset *ss)
{
	if (!ss)
		return;
	states_clear(ss);
	cJSON_Delete(ss->state_params);
	free(ss);
}

size_t stub_states_split(char *copy, const char **names, size_t max)
{
	size_t n = 0;
	char *p = copy;
	while (p && *p && n < max) {
		char *c = strchr(p, ','), *e;
		if (c)
			*c = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p)
			names[n++] = p;
		p = c ? c + 1 : NULL;
	}
	return n;
}

static void add_state(struct stub_stateset *ss, const char *name,
		      const cJSON *params)
{
	size_t i;
	const cJSON *it;
	for (i = 0; i < ss->nstates; i++)
		if (!strcmp(ss->states[i], name))
			break;
	if (i == ss->nstates && ss->nstates < STUB_STATES_MAX)
		ss->states[ss->nstates++] = xstrdup(name);
	cJSON_ArrayForEach(it, params)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(ss->state_params,
							it->string);
		cJSON_AddItemToObject(ss->state_params, it->string,
				      cJSON_Duplicate(it, 1));
		if (i == ss->nstates)
			continue; /* past STUB_STATES_MAX: merged, not kept */
		if (!ss->state_own[i])
			ss->state_own[i] = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(ss->state_own[i],
							it->string);
		cJSON_AddItemToObject(ss->state_own[i], it->string,
				      cJSON_Duplicate(it, 1));
	}
}

cJSON *stub_stateset_json(const struct stub_stateset *ss)
{
	cJSON *o = cJSON_CreateObject(),
	      *a = cJSON_AddArrayToObject(o, "states");
	size_t i;
	for (i = 0; i < ss->nstates; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(ss->states[i]));
	cJSON_AddItemToObject(o, "params",
			      cJSON_Duplicate(ss->state_params, 1));
	return o;
}

const cJSON *stub_stateset_params(const struct stub_stateset *ss)
{
	return ss->state_params;
}

const char *stub_stateset_change(struct stub_stateset *ss, const cJSON *b)
{
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(b, "state");
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(b, "action");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(b, "params");
	const char *act = cJSON_IsString(action) ? action->valuestring
						 : "setup";
	if (!cJSON_IsString(state))
		return "expected {\"state\": NAME, \"action\": \"setup\"|\"teardown\", \"params\": {...}}";
	if (!strcmp(act, "teardown")) {
		states_clear(ss);
		ss->setup_open = 0;
	} else if (!strcmp(act, "setup")) {
		if (!ss->setup_open)
			states_clear(ss);
		ss->setup_open = 1;
		if (state->valuestring[0])
			add_state(ss, state->valuestring,
				  cJSON_IsObject(params) ? params : NULL);
	} else {
		return "action must be setup or teardown";
	}
	return NULL;
}

const char *stub_stateset_put(struct stub_stateset *ss, const cJSON *b)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(b, "states");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(b, "state");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(b, "params");
	const cJSON *it;
	if (!cJSON_IsArray(list) && !cJSON_IsString(one) && !cJSON_IsNull(one))
		return "expected {\"states\": [NAME, ...]} or {\"state\": NAME}";
	states_clear(ss);
	ss->setup_open = 0;
	if (cJSON_IsString(one) && one->valuestring[0])
		add_state(ss, one->valuestring, params);
	cJSON_ArrayForEach(it, list)
	{
		if (cJSON_IsString(it) && it->valuestring[0])
			add_state(ss, it->valuestring, params);
	}
	return NULL;
}

size_t stub_stateset_traffic(struct stub_stateset *ss, char **names)
{
	size_t i;
	ss->setup_open = 0; /* traffic closes a run of state setups */
	for (i = 0; names && i < ss->nstates; i++)
		names[i] = xstrdup(ss->states[i]);
	return ss->nstates;
}

cJSON *stub_stateset_forward(struct stub_stateset *ss, const char *header,
			     size_t len)
{
	const char *names[STUB_STATES_MAX];
	cJSON *a = NULL, *o;
	char *copy = NULL;
	size_t i, n;
	ss->setup_open = 0; /* traffic closes a run of state setups */
	if (header) {
		copy = xstrndup(header, len);
		n = stub_states_split(copy, names, STUB_STATES_MAX);
	} else {
		n = ss->nstates;
	}
	for (i = 0; i < n; i++) {
		if (!a)
			a = cJSON_CreateArray();
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name",
					header ? names[i] : ss->states[i]);
		if (!header && ss->state_own[i])
			cJSON_AddItemToObject(
				o, "params",
				cJSON_Duplicate(ss->state_own[i], 1));
		cJSON_AddItemToArray(a, o);
	}
	free(copy);
	return a;
}
