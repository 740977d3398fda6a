/*
 * match_parts.c: match_parts(), the Pact specification's test-case layout: an
 * expected request, response or message with its matching rules and an
 * actual one without, each read from Pact JSON and then matched. It is the
 * hook `accord match` and the specification's cases run through; it lives
 * with the readers because it reads, so the matching engine itself never
 * depends on a file format.
 */
#include "contracts/formats/formats.h"

#include <string.h>

long match_parts(enum part_kind k, const cJSON *expected, const cJSON *actual,
		 const struct match_opts *o, struct mismatches *out,
		 struct err *e)
{
	long n = -1;
	enum spec_version v = o && o->spec ? o->spec : SPEC_V4;
	if (k == PART_REQUEST) {
		struct http_request x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!request_from_cjson(expected, v, "/expected", &x, e) &&
		    !request_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_request(&x, &y, o, out);
		request_release(&x);
		request_release(&y);
	} else if (k == PART_RESPONSE) {
		struct http_response x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!response_from_cjson(expected, v, "/expected", &x, e) &&
		    !response_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_response(&x, &y, o, out);
		response_release(&x);
		response_release(&y);
	} else {
		struct message x, y;
		memset(&x, 0, sizeof(x));
		memset(&y, 0, sizeof(y));
		if (!message_from_cjson(expected, v, "/expected", &x, e) &&
		    !message_from_cjson(actual, v, "/actual", &y, e))
			n = (long)match_message(&x, &y, o, out);
		message_release(&x);
		message_release(&y);
	}
	return n;
}
