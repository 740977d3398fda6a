/*
 * read.c: contract_read(), which picks the reader for a contract file: by
 * the name's extension, else by the first byte of the text ('{' is JSON,
 * anything else YAML). It lives apart from both readers because it uses
 * both: the YAML reader hands its document to the JSON one, so the choice
 * made inside read_json.c had each of the two depend on the other.
 */
#include "contracts/formats/formats.h"

#include <string.h>

struct contract *contract_read(const char *name, const char *buf, size_t len,
			       struct err *e)
{
	size_t n = name ? strlen(name) : 0, i = 0;
	if ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	    (n > 4 && !strcmp(name + n - 4, ".yml")))
		return contract_read_yaml(name, buf, len, e);
	if (n > 5 && !strcmp(name + n - 5, ".json"))
		return contract_read_json(name, buf, len, e);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
			   buf[i] == '\t'))
		i++;
	if (i < len && buf[i] == '{')
		return contract_read_json(name, buf, len, e);
	return contract_read_yaml(name, buf, len, e);
}
