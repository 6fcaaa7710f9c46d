package samtemplate

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The error codes a handler can answer are found from the code itself, not from a list kept
// by hand: the handler packages and everything of Roster's they use are type-checked from
// source, and from each handler the calls are followed through Roster's own functions
// (a call of an interface method reaches every method of that name in Roster, which covers
// the Cognito and SES implementations behind identity.Provider and mail.Sender). Every
// apperr error made or referred to on the way is a code the handler can answer, with the
// status its kind maps to.
//
// It over-approximates: a code made on a path no request takes still counts. So a code the
// document declares but the analysis never finds is a mistake in the document, and the other
// way round the analysis is refined by three things, each kept true to the code:
//   - a function can pass an error on only through its results or through a parameter that
//     can hold one (the store's transaction collects its conflicts' errors); restoreCode,
//     giveBack... log what fails, so nothing is followed through them;
//   - absorbed lists the calls whose caller turns a callee's code into something else (the
//     caller's own record missing is 401, an unknown login account answers as a known one);
//     each caller must still call its callee, and test for each code it names;
//   - infeasible lists codes the analysis finds on a path that a flag or a value rules out,
//     with the reason; each must still be found (an entry that is no longer needed fails).

const module = "github.com/roster-dev/roster/"

// absorbed: caller -> callee -> codes the caller does not pass on from that callee ("*": it
// passes on none of them).
var absorbed = map[string]map[string][]string{
	// A token whose user is gone is answered 401 (authz.Caller), never 404.
	"api.(*API).caller": {"store.(*Store).User": {"not_found"}},
	// Sign-in and password recovery answer an unknown login account as a known one.
	"api.(*Directory).ResetPassword": {"store.(*Store).UserIDByLogin": {"not_found"}},
	// A refresh token whose user cannot be read gets the 401 of a bad refresh token.
	"api.(*Directory).Refresh": {"store.(*Store).User": {"*"}},
	// A failed creation answers the failure: errors.Join puts it before a failed undo's.
	"accounts.(*Accounts).Create": {"store.(*Store).DeleteUserRecords": {"*"}},
	// Lists and pages leave out a team deleted meanwhile.
	"store.(*Store).Teams": {"store.decodeTeam": {"*"}},
	// Removing a half-made user met on the way is logged, never the answer.
	"api.(*API).userByLogin": {"store.(*Store).UserIDByLogin": {"not_found"}, "store.(*Store).User": {"not_found"}, "store.(*Store).DiscardHalfMade": {"*"}},
	// An issuer that could not make the invitation now revokes it (410), whatever authz says.
	"authz.CheckGrant": {"authz.CheckTeam": {"*"}, "authz.CheckAssign": {"*"}},
	// Undoing a registration whose invitation failed is logged; the answer is the failure.
	"api.(*Directory).Register": {"accounts.(*Accounts).Discard": {"*"}},
}

// infeasible: handler ("*" for every one) -> code -> why the path the analysis follows to
// it is never taken from that handler.
var infeasible = map[string]map[string]string{
	"*": {"already_bootstrapped": "store.CreateUser claims the super admin's slot only for NewAccount.SuperAdmin, which only the bootstrap function sets"},
	"api.(*API).UpdateMe": {
		"email_taken":     "store.SaveUser claims an address only when the email changes; PATCH /v1/me changes the username only",
		"member_of_teams": "store.SaveUser checks teams only when the type becomes an admin's; PATCH /v1/me never changes it",
	},
	"api.(*Directory).FreezeUser": {
		"email_taken":     "a freeze changes the status only (see store.SaveUser)",
		"member_of_teams": "a freeze changes the status only (see store.SaveUser)",
	},
	"api.(*Directory).RecoverUser": {
		"email_taken":     "a recovery changes the status only (see store.SaveUser)",
		"member_of_teams": "a recovery changes the status only (see store.SaveUser)",
	},
	"api.(*API).UnbindUserEmail": {
		"email_taken":     "removing an address claims none (see store.SaveUser)",
		"member_of_teams": "removing an address leaves the type as it is (see store.SaveUser)",
	},
	"api.(*API).VerifyEmailChange": {
		"member_of_teams": "an email change leaves the type as it is (see store.SaveUser)",
	},
	"api.(*Directory).AddTeamMember": {
		"version_conflict": "store.addMembershipVerifying conditions on the joiner's email only when accepting a bound link",
	},
	"api.(*API).CreateTeam": {
		"version_conflict": "store.addMembershipVerifying conditions on the joiner's email only when accepting a bound link",
	},
	"api.(*Directory).Logout": {
		"not_found": "store.EndSessions without effects moves the time forward alone (setTime), which lets a user gone be",
	},
	"api.(*Directory).UnbindMyMFA": {
		"mfa_already_enabled": "switchMyMFA answers it only when turning MFA on",
	},
}

// statusOfKind mirrors httpapi's one mapping of apperr kinds to statuses.
var statusOfKind = map[string]string{
	"Internal": "500", "Invalid": "400", "Unauthenticated": "401", "Forbidden": "403",
	"NotFound": "404", "Conflict": "409", "Gone": "410", "RateLimited": "429",
}

// apperr's constructors with a fixed status and code.
var constructors = map[string][2]string{
	"InvalidFields": {"400", "invalid_request"}, "InvalidRequest": {"400", "invalid_request"},
	"Unauthorized": {"401", "unauthenticated"}, "InvalidCredentials": {"401", "invalid_credentials"},
	"Denied": {"403", "forbidden"}, "Frozen": {"403", "account_frozen"},
	"Missing": {"404", "not_found"}, "Stale": {"409", "version_conflict"},
	"Limited": {"429", "rate_limited"}, "Wrap": {"500", "internal"},
}

// answer is one status and error code.
type answer struct{ status, code string }

func (a answer) String() string { return a.status + " " + a.code }

// codeGraph is Roster's functions and package variables with the answers each makes and
// what each refers to.
type codeGraph struct {
	fset    *token.FileSet
	info    *types.Info
	funcs   map[*types.Func]*ast.FuncDecl
	vars    map[*types.Var]ast.Expr // package variables' initialisers
	methods map[string][]*types.Func
	memo    map[types.Object][]answer
	busy    map[types.Object]bool
}

// loadCodeGraph type-checks Roster's packages that handlers reach, from source, with the
// other imports read from the build cache's export data.
func loadCodeGraph(t *testing.T, root string, patterns ...string) *codeGraph {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-json=ImportPath,Dir,GoFiles,Export"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type listed struct {
		ImportPath, Dir, Export string
		GoFiles                 []string
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	exports := map[string]string{}
	for _, p := range pkgs {
		exports[p.ImportPath] = p.Export
	}
	g := &codeGraph{
		fset:  token.NewFileSet(),
		info:  &types.Info{Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}},
		funcs: map[*types.Func]*ast.FuncDecl{}, vars: map[*types.Var]ast.Expr{}, methods: map[string][]*types.Func{},
		memo: map[types.Object][]answer{}, busy: map[types.Object]bool{},
	}
	gc := importer.ForCompiler(g.fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	checked := map[string]*types.Package{}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if p, ok := checked[path]; ok {
			return p, nil
		}
		return gc.Import(path)
	})
	for _, p := range pkgs { // dependencies come first
		if !strings.HasPrefix(p.ImportPath, module+"internal/") {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(g.fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		conf := types.Config{Importer: imp}
		pkg, err := conf.Check(p.ImportPath, g.fset, files, g.info)
		if err != nil {
			t.Fatalf("type-checking %s: %v", p.ImportPath, err)
		}
		checked[p.ImportPath] = pkg
		for _, f := range files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					fn := g.info.Defs[d.Name].(*types.Func)
					g.funcs[fn] = d
					if d.Recv != nil {
						g.methods[fn.Name()] = append(g.methods[fn.Name()], fn)
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						vs, ok := spec.(*ast.ValueSpec)
						if !ok || d.Tok != token.VAR {
							continue
						}
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								g.vars[g.info.Defs[name].(*types.Var)] = vs.Values[i]
							}
						}
					}
				}
			}
		}
	}
	return g
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// funcName is how absorbed and messages name a function: "api.(*API).caller", "authz.Check".
func funcName(fn *types.Func) string {
	if fn.Pkg() == nil { // error's Error method
		return fn.Name()
	}
	pkg := fn.Pkg().Name()
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		star := ""
		if p, ok := t.(*types.Pointer); ok {
			t, star = p.Elem(), "*"
		}
		if n, ok := t.(*types.Named); ok {
			return fmt.Sprintf("%s.(%s%s).%s", pkg, star, n.Obj().Name(), fn.Name())
		}
		return fmt.Sprintf("%s.(%s).%s", pkg, t.String(), fn.Name())
	}
	return pkg + "." + fn.Name()
}

func inRoster(obj types.Object) bool {
	return obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), module)
}

func isApperr(obj types.Object) bool {
	return obj.Pkg() != nil && obj.Pkg().Path() == module+"internal/apperr"
}

// passesErrors reports whether fn can hand an error to its caller: in its results, or
// through a parameter (its receiver included) that points to something holding one.
func passesErrors(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	res := sig.Results()
	for i := range res.Len() {
		if holdsError(res.At(i).Type(), map[types.Type]bool{}) {
			return true
		}
	}
	var params []*types.Var
	if sig.Recv() != nil {
		params = append(params, sig.Recv())
	}
	for i := range sig.Params().Len() {
		params = append(params, sig.Params().At(i))
	}
	for _, p := range params {
		switch t := p.Type().Underlying().(type) {
		case *types.Pointer:
			if holdsError(t.Elem(), map[types.Type]bool{}) {
				return true
			}
		case *types.Slice, *types.Map:
			if holdsError(t, map[types.Type]bool{}) {
				return true
			}
		}
	}
	return false
}

var errorType = types.Universe.Lookup("error").Type()

// holdsError reports whether a value of type t is or contains an error. Roster's own types
// are looked into; other packages' hold none of Roster's errors.
func holdsError(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if types.Identical(t, errorType) {
		return true
	}
	if n, ok := t.(*types.Named); ok {
		if isApperr(n.Obj()) && n.Obj().Name() == "Error" {
			return true
		}
		if !inRoster(n.Obj()) {
			return false
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return holdsError(u.Elem(), seen)
	case *types.Slice:
		return holdsError(u.Elem(), seen)
	case *types.Array:
		return holdsError(u.Elem(), seen)
	case *types.Map:
		return holdsError(u.Elem(), seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if holdsError(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// answersOf is every answer obj (a function or a package variable) can make or pass on.
func (g *codeGraph) answersOf(obj types.Object) []answer {
	if got, ok := g.memo[obj]; ok {
		return got
	}
	if g.busy[obj] { // recursion: the rest of the cycle adds what it makes
		return nil
	}
	g.busy[obj] = true
	defer delete(g.busy, obj)
	set := map[answer]bool{}
	var body ast.Node
	var skip map[string][]string
	switch o := obj.(type) {
	case *types.Func:
		if d := g.funcs[o]; d != nil && d.Body != nil {
			body = d.Body
		}
		skip = absorbed[funcName(o)]
	case *types.Var:
		body = g.vars[o]
	}
	if body != nil {
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if a, ok := g.construction(n); ok {
					set[a] = true
				}
			case *ast.CompositeLit:
				if a, ok := g.literal(n); ok {
					set[a] = true
				}
			case *ast.Ident:
				for _, callee := range g.targets(g.info.Uses[n]) {
					if callee == obj {
						continue
					}
					drop := map[string]bool{}
					if fn, ok := callee.(*types.Func); ok {
						for _, c := range skip[funcName(fn)] {
							drop[c] = true
						}
					}
					for _, a := range g.answersOf(callee) {
						if !drop[a.code] && !drop["*"] {
							set[a] = true
						}
					}
				}
			}
			return true
		})
	}
	out := make([]answer, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	g.memo[obj] = out
	return out
}

// targets is what a use of obj may run: a function of Roster's that returns an error (every
// method of Roster's of that name, for an interface method), or a package variable of Roster's.
func (g *codeGraph) targets(obj types.Object) []types.Object {
	switch o := obj.(type) {
	case *types.Func:
		if isApperr(o) || !passesErrors(o) {
			return nil
		}
		if recv := o.Type().(*types.Signature).Recv(); recv != nil && types.IsInterface(recv.Type()) {
			iface := recv.Type().Underlying().(*types.Interface)
			var out []types.Object
			for _, m := range g.methods[o.Name()] {
				rt := m.Type().(*types.Signature).Recv().Type()
				if passesErrors(m) && (types.Implements(rt, iface) || types.Implements(types.NewPointer(rt), iface)) {
					out = append(out, m)
				}
			}
			return out
		}
		if inRoster(o) {
			return []types.Object{o}
		}
	case *types.Var:
		if _, ok := g.vars[o]; ok && o.Parent() == o.Pkg().Scope() {
			return []types.Object{o}
		}
	}
	return nil
}

// construction is the answer a call of one of apperr's constructors makes.
func (g *codeGraph) construction(call *ast.CallExpr) (answer, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return answer{}, false
	}
	fn, ok := g.info.Uses[sel.Sel].(*types.Func)
	if !ok || !isApperr(fn) {
		return answer{}, false
	}
	if fixed, ok := constructors[fn.Name()]; ok {
		return answer{fixed[0], fixed[1]}, true
	}
	switch fn.Name() {
	case "New": // New(kind, code, message)
		return answer{g.kind(call.Args[0]), g.code(call.Args[1])}, true
	case "Taken": // Taken(code, field, message)
		return answer{"409", g.code(call.Args[0])}, true
	}
	return answer{}, false
}

// literal is the answer an apperr.Error{Kind: ..., Code: ...} literal makes.
func (g *codeGraph) literal(lit *ast.CompositeLit) (answer, bool) {
	tv, ok := g.info.Types[lit]
	if !ok {
		return answer{}, false
	}
	n, ok := tv.Type.(*types.Named)
	if !ok || !isApperr(n.Obj()) || n.Obj().Name() != "Error" {
		return answer{}, false
	}
	var a answer
	for _, e := range lit.Elts {
		kv := e.(*ast.KeyValueExpr)
		switch kv.Key.(*ast.Ident).Name {
		case "Kind":
			a.status = g.kind(kv.Value)
		case "Code":
			a.code = g.code(kv.Value)
		}
	}
	return a, true
}

func (g *codeGraph) kind(e ast.Expr) string {
	var id *ast.Ident
	switch e := e.(type) {
	case *ast.SelectorExpr:
		id = e.Sel
	case *ast.Ident:
		id = e
	}
	if id != nil {
		if c, ok := g.info.Uses[id].(*types.Const); ok && isApperr(c) {
			if s, ok := statusOfKind[c.Name()]; ok {
				return s
			}
		}
	}
	return "?kind " + types.ExprString(e)
}

// code reads an error code: a string constant, or X.Code of a package variable X.
func (g *codeGraph) code(e ast.Expr) string {
	if tv, ok := g.info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value)
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" {
		var id *ast.Ident
		switch x := sel.X.(type) {
		case *ast.SelectorExpr:
			id = x.Sel
		case *ast.Ident:
			id = x
		}
		if v, ok := g.info.Uses[id].(*types.Var); ok {
			if made := g.answersOf(v); len(made) == 1 {
				return made[0].code
			}
		}
	}
	return "?code " + types.ExprString(e)
}

// handlerOf finds the handler a functions/<op>/main.go hands to lambda.Start: a method of
// api.API ("api.(*API).GetMe") or a package function ("openapi.Handler").
func (g *codeGraph) handlerOf(t *testing.T, mainGo string) *types.Func {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), mainGo, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || types.ExprString(call.Fun) != "lambda.Start" {
			return true
		}
		ast.Inspect(call, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch x := sel.X.(type) {
			case *ast.CallExpr: // api.New(app.Load()).GetMe, api.NewDirectory(a, idp).Login
				switch types.ExprString(x.Fun) {
				case "api.New":
					want = "api.(*API)." + sel.Sel.Name
				case "api.NewDirectory":
					want = "api.(*Directory)." + sel.Sel.Name
				}
			case *ast.Ident: // openapi.Handler
				if x.Name != "httpapi" && x.Name != "lambda" && want == "" {
					want = x.Name + "." + sel.Sel.Name
				}
			}
			return true
		})
		return false
	})
	for fn := range g.funcs {
		if funcName(fn) == want {
			return fn
		}
	}
	t.Fatalf("%s: no handler found in lambda.Start (looked for %q)", mainGo, want)
	return nil
}

// checkAbsorbed keeps absorbed true to the code: each caller still calls each callee, and
// still tests for each code it absorbs.
func (g *codeGraph) checkAbsorbed(t *testing.T) {
	t.Helper()
	for caller, callees := range absorbed {
		var decl *ast.FuncDecl
		for fn, d := range g.funcs {
			if funcName(fn) == caller {
				decl = d
			}
		}
		if decl == nil {
			t.Errorf("absorbed names %s, which no longer exists", caller)
			continue
		}
		calls := map[string]bool{}
		tested := map[string]bool{}
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if fn, ok := g.info.Uses[n].(*types.Func); ok {
					calls[funcName(fn)] = true
				}
				for _, target := range g.targets(g.info.Uses[n]) { // an interface's implementations
					if fn, ok := target.(*types.Func); ok {
						calls[funcName(fn)] = true
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "IsCode" && len(n.Args) == 2 {
					tested[g.code(n.Args[1])] = true
				}
			}
			return true
		})
		for callee, codes := range callees {
			if !calls[callee] {
				t.Errorf("absorbed: %s no longer calls %s", caller, callee)
			}
			for _, c := range codes {
				if c != "*" && !tested[c] {
					t.Errorf("absorbed: %s no longer tests for %s (apperr.IsCode), so it passes it on", caller, c)
				}
			}
		}
	}
}

// why answers a chain of calls from obj to where a is made, for messages: the analysis
// over-approximates, and a person deciding whether a code is real needs the path.
func (g *codeGraph) why(obj types.Object, a answer) []string {
	seen := map[types.Object]bool{}
	var walk func(o types.Object) []string
	walk = func(o types.Object) []string {
		if seen[o] {
			return nil
		}
		seen[o] = true
		label := o.Name()
		if fn, ok := o.(*types.Func); ok {
			label = funcName(fn)
		}
		var body ast.Node
		var skip map[string][]string
		switch o := o.(type) {
		case *types.Func:
			if d := g.funcs[o]; d != nil && d.Body != nil {
				body = d.Body
			}
			skip = absorbed[funcName(o)]
		case *types.Var:
			body = g.vars[o]
		}
		if body == nil {
			return nil
		}
		var path []string
		ast.Inspect(body, func(n ast.Node) bool {
			if path != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.CallExpr:
				if got, ok := g.construction(n); ok && got == a {
					path = []string{label, g.fset.Position(n.Pos()).String()}
				}
			case *ast.CompositeLit:
				if got, ok := g.literal(n); ok && got == a {
					path = []string{label, g.fset.Position(n.Pos()).String()}
				}
			case *ast.Ident:
				for _, callee := range g.targets(g.info.Uses[n]) {
					if fn, ok := callee.(*types.Func); ok && (slices.Contains(skip[funcName(fn)], a.code) || slices.Contains(skip[funcName(fn)], "*")) {
						continue
					}
					if !slices.Contains(g.answersOf(callee), a) {
						continue
					}
					if rest := walk(callee); rest != nil {
						path = append([]string{label}, rest...)
						return false
					}
				}
			}
			return true
		})
		return path
	}
	return walk(obj)
}
