#!/bin/sh
# reserved.sh: list every identifier a statistic name could clash with in
# the C that lwtc generates, as a C initializer list ("NAME",) for
# compiler/check_ident.c.
#
#   sh scripts/reserved.sh CLANG MULTIARCH_INCLUDE_DIR > build/compiler/reserved.inc
#
# The list holds the macros, enum constants, typedefs, functions and
# variables that <linux/bpf.h>, <bpf/bpf_helpers.h> and <bpf/bpf_endian.h>
# declare (as clang sees them for -target bpf), the C keywords (C11, C23 and
# GNU), the lwtp language keywords, and the few names the generated code
# itself uses. Sorted (LC_ALL=C), without duplicates: the output depends only
# on the headers installed.
set -e

clang=${1:-clang}
multiarch=${2:-/usr/include/$(gcc -print-multiarch 2>/dev/null)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/headers.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
EOF

bpf_clang() {
	"$clang" -target bpf -I"$multiarch" "$@" "$tmp/headers.c"
}

# Macro names: "#define NAME value" or "#define NAME(args) value".
bpf_clang -E -dM > "$tmp/macros"
sed -n 's/^#define \([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$tmp/macros" > "$tmp/names"

# Ordinary identifiers: enum constants anywhere, and the typedefs,
# functions and variables declared at file scope.
bpf_clang -fsyntax-only -fno-color-diagnostics -Xclang -ast-dump > "$tmp/ast"
sed -n -E \
	-e 's/^[|` ]*-EnumConstantDecl .*> (col|line):[0-9:]+ (implicit |referenced |used |invalid )*([A-Za-z_][A-Za-z0-9_]*) .*/\3/p' \
	-e 's/^[|`]-(TypedefDecl|FunctionDecl|VarDecl) .*> (col|line):[0-9:]+ (implicit |referenced |used |invalid )*([A-Za-z_][A-Za-z0-9_]*) .*/\4/p' \
	"$tmp/ast" >> "$tmp/names"

# The header scan must have found something, or the compiler would accept
# names that break the generated C.
grep -qx 'SEC' "$tmp/names" || { echo "reserved.sh: no SEC macro found in bpf/bpf_helpers.h" >&2; exit 1; }
grep -qx 'BPF_OK' "$tmp/names" || { echo "reserved.sh: no BPF_OK enum constant found in linux/bpf.h" >&2; exit 1; }

cat >> "$tmp/names" <<'EOF'
auto
break
case
char
const
continue
default
do
double
else
enum
extern
float
for
goto
if
inline
int
long
register
restrict
return
short
signed
sizeof
static
struct
switch
typedef
union
unsigned
void
volatile
while
_Alignas
_Alignof
_Atomic
_BitInt
_Bool
_Complex
_Decimal128
_Decimal32
_Decimal64
_Generic
_Imaginary
_Noreturn
_Static_assert
_Thread_local
alignas
alignof
bool
constexpr
false
nullptr
static_assert
thread_local
true
typeof
typeof_unqual
asm
__asm
__asm__
__attribute__
__extension__
__inline
__inline__
__label__
__restrict
__restrict__
__typeof
__typeof__
__auto_type
__volatile__
__signed__
__const__
policy
count
hist
drop
pass
set
by
size
in
and
or
not
log2
linear
skb
ctx
_license
license
main
EOF

LC_ALL=C sort -u "$tmp/names" | sed 's/.*/"&",/'
