#!/bin/sh
# make demo: accord on the bundled example contract (fixtures/demo/).
# Validates it, shows it converted to v4 and to the YAML authoring format,
# and checks two provider responses against it: one that honours the
# contract and one that breaks it in five ways.
set -u
A=build/accord
D=fixtures/demo
C=$D/shop-web-catalog-service.json

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$B" "$1" "$N" "$2"; }

step "validate the contract" "accord validate $C"
$A validate "$C" || exit 1

step "the same contract as Pact v4 (first 30 lines)" "accord convert --to v4 $C"
$A convert --to v4 "$C" | head -30

step "and in accord's YAML authoring format" "accord convert --to yaml $C"
$A convert --to yaml "$C" || echo "(YAML output not available)"

step "a response that honours the contract" \
	"accord match --response --contract $C --interaction 'a request for a product' $D/response-ok.json"
$A match --response --contract "$C" --interaction "a request for a product" \
	"$D/response-ok.json"
echo "exit status $?"

step "a response that breaks it" \
	"accord match --response --contract $C --interaction 'a request for a product' $D/response-broken.json"
$A match --response --contract "$C" --interaction "a request for a product" \
	"$D/response-broken.json"
echo "exit status $? (1 = mismatches)"
exit 0
