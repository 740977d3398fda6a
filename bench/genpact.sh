#!/bin/sh
# bench/genpact.sh: the workload of bench/stub.sh, as files.
#
# usage: bench/genpact.sh N DIR [nginx]
#
#   DIR/pact-N.json        Pact v3: GET /api/items/{0..N-1}, each answering a
#                          JSON object of exactly 1,024 bytes, then
#                          POST /api/orders, whose JSON request body must
#                          match (content type, body, rules on two fields)
#   DIR/order.json         a request body that matches POST /api/orders
#   DIR/nginx-N.locations  with "nginx": the same responses as exact nginx
#                          location blocks, `return 200 '...'`
#
# The bodies are compact JSON with only letters, digits and spaces in their
# strings, so the text nginx returns is the text accord serialises, and no
# character needs escaping in an nginx single-quoted string (no ', \ or $).
set -eu
if [ $# -lt 2 ]; then
	echo "usage: bench/genpact.sh N DIR [nginx]" >&2
	exit 2
fi
n=$1
dir=$2
ngx=
[ "${3:-}" = nginx ] && ngx="$dir/nginx-$n.locations"
mkdir -p "$dir"

awk -v n="$n" -v pact="$dir/pact-$n.json" -v ngx="$ngx" \
	-v order="$dir/order.json" '
# item(i): the response body of GET /api/items/i, padded to 1,024 bytes
# with its description so every body has the same size.
function item(i, head, tail) {
	head = sprintf("{\"id\":%d,\"sku\":\"SKU%06d\",\"name\":\"Item %d\"," \
		"\"price\":{\"amount\":%d,\"currency\":\"EUR\"}," \
		"\"stock\":%d,\"tags\":[\"bench\",\"catalogue\",\"group %d\"]," \
		"\"attributes\":{\"color\":\"%s\",\"size\":\"%s\"," \
		"\"weightGrams\":%d},\"updatedAt\":\"2024 05 %02d 12 00\"," \
		"\"description\":\"", i, i, i, 199 + (i * 37) % 10000,
		(i * 13) % 500, i % 10, color[i % 4], size[i % 3],
		100 + (i * 7) % 900, 1 + i % 28)
	tail = "\"}"
	return head substr(pad, 1, 1024 - length(head) - length(tail)) tail
}
BEGIN {
	pad = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed " \
		"do eiusmod tempor incididunt ut labore et dolore magna aliqua "
	while (length(pad) < 1024)
		pad = pad pad
	split("red green blue black", c, " ")
	split("S M L", s, " ")
	for (k = 0; k < 4; k++)
		color[k] = c[k + 1]
	for (k = 0; k < 3; k++)
		size[k] = s[k + 1]

	printf "{\"consumer\":{\"name\":\"bench-consumer\"}," \
		"\"provider\":{\"name\":\"bench-provider\"}," \
		"\"interactions\":[" >pact
	for (i = 0; i < n; i++) {
		b = item(i)
		printf "{\"description\":\"get item %d\"," \
			"\"request\":{\"method\":\"GET\"," \
			"\"path\":\"/api/items/%d\"}," \
			"\"response\":{\"status\":200,\"headers\":" \
			"{\"Content-Type\":\"application/json\"}," \
			"\"body\":%s}},", i, i, b >pact
		if (ngx != "")
			printf "location = /api/items/%d { return 200 '\''%s'\''; }\n",
				i, b >ngx
	}

	req = "{\"itemId\":42,\"quantity\":2,\"customer\":{\"id\":\"c1001\"," \
		"\"email\":\"buyer at example com\"}," \
		"\"lines\":[{\"sku\":\"SKU000042\",\"qty\":2}]}"
	res = "{\"orderId\":\"o1\",\"status\":\"created\"," \
		"\"total\":{\"amount\":4998,\"currency\":\"EUR\"}}"
	printf "{\"description\":\"create an order\"," \
		"\"request\":{\"method\":\"POST\",\"path\":\"/api/orders\"," \
		"\"headers\":{\"Content-Type\":\"application/json\"}," \
		"\"body\":%s,\"matchingRules\":{\"body\":{" \
		"\"$.itemId\":{\"matchers\":[{\"match\":\"integer\"}]}," \
		"\"$.quantity\":{\"matchers\":[{\"match\":\"integer\"}]}}}}," \
		"\"response\":{\"status\":201,\"headers\":" \
		"{\"Content-Type\":\"application/json\"},\"body\":%s}}", req,
		res >pact
	printf "],\"metadata\":{\"pactSpecification\":{\"version\":" \
		"\"3.0.0\"}}}\n" >pact
	printf "%s", req >order
	if (ngx != "")
		printf "location = /api/orders { return 201 '\''%s'\''; }\n",
			res >ngx
}'
