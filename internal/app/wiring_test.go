package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// handlerPackages hold what functions/<op>/main.go hands to lambda.Start.
var handlerPackages = []string{"api", "bootstrap", "cognitotrigger", "console", "openapi"}

// services: an App field, and the Service a main.go passes to Load to set it.
var services = []struct {
	service string   // selector in main.go
	fields  []string // App fields that need it
}{
	{service: "cognito.Service", fields: []string{"Identity", "Accounts"}},
	{service: "ses.Service", fields: []string{"Mail"}},
}

// TestFunctionsWireWhatTheyUse checks every functions/<op>/main.go against the code
// its handler reaches: a handler that reaches a.Identity (or a.Accounts) must be
// given cognito.Service, one that reaches a.Mail ses.Service, and one that does
// not must not link them (they would cost its cold start for nothing). Reach is
// found by name over the handler packages' declarations, so it may over-approximate
// (asking for a service a handler does not really call) but not miss one.
func TestFunctionsWireWhatTheyUse(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	graph := map[string]*decl{} // "pkg.Name" (functions and methods alike)
	for _, pkg := range handlerPackages {
		parseDecls(t, filepath.Join(root, "internal", pkg), pkg, graph)
	}
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil || len(mains) == 0 {
		t.Fatalf("no functions/*/main.go: %v", err)
	}
	for _, path := range mains {
		entries, wired := readMain(t, path)
		if len(entries) == 0 {
			t.Errorf("%s: no handler from %v found in lambda.Start", path, handlerPackages)
			continue
		}
		uses := reach(graph, entries)
		for _, s := range services {
			need := slices.ContainsFunc(s.fields, func(f string) bool { return uses[f] })
			switch has := wired[s.service]; {
			case need && !has:
				t.Errorf("%s: its handler uses a.%s but app.Load is not given %s", path, strings.Join(s.fields, "/a."), s.service)
			case !need && has:
				t.Errorf("%s: app.Load is given %s, which its handler never uses: drop it (it costs the cold start)", path, s.service)
			}
		}
	}
}

type decl struct {
	refs   []string        // "pkg.Name" of declarations referenced
	fields map[string]bool // selector names used (a.Identity -> "Identity")
}

func parseDecls(t *testing.T, dir, pkg string, graph map[string]*decl) {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	names := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, file)
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				names[fd.Name.Name] = true
			}
		}
	}
	for _, file := range parsed {
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			key := pkg + "." + fd.Name.Name
			dd := graph[key]
			if dd == nil {
				dd = &decl{fields: map[string]bool{}}
				graph[key] = dd
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool { return visit(n, names, pkg, dd) })
		}
	}
}

// visit records what node n of pkg's declaration dd uses: the functions it calls or
// passes by name, and the names it selects (a.Identity: "Identity").
func visit(n ast.Node, names map[string]bool, pkg string, dd *decl) bool {
	walk := func(sub ast.Node) { ast.Inspect(sub, func(m ast.Node) bool { return visit(m, names, pkg, dd) }) }
	switch n := n.(type) {
	case *ast.CallExpr: // x.method(...): a call of a method by that name
		if sel, ok := n.Fun.(*ast.SelectorExpr); ok && names[sel.Sel.Name] {
			dd.refs = append(dd.refs, pkg+"."+sel.Sel.Name)
		}
	case *ast.SelectorExpr:
		// A selected name (e.Challenge) is no reference to a function of that name.
		dd.fields[n.Sel.Name] = true
		walk(n.X)
		return false
	case *ast.KeyValueExpr:
		if _, ok := n.Key.(*ast.Ident); ok { // a field name in a composite literal
			walk(n.Value)
			return false
		}
	case *ast.Ident: // a function called or passed by name
		if names[n.Name] {
			dd.refs = append(dd.refs, pkg+"."+n.Name)
		}
	}
	return true
}

// readMain answers the handler declarations main.go hands to lambda.Start
// ("api.GetMe", "bootstrap.Handler") and the services it passes to app.Load.
func readMain(t *testing.T, path string) (entries []string, wired map[string]bool) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	wired = map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch selectorString(call.Fun) {
		case "app.Load":
			for _, arg := range call.Args {
				wired[selectorString(arg)] = true
			}
		case "lambda.Start":
			ast.Inspect(call, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg := ""
				switch x := sel.X.(type) {
				case *ast.Ident: // bootstrap.Handler
					pkg = x.Name
				case *ast.CallExpr: // api.New(a).GetMe
					if inner, ok := x.Fun.(*ast.SelectorExpr); ok {
						if id, ok := inner.X.(*ast.Ident); ok {
							pkg = id.Name
						}
					}
				}
				if slices.Contains(handlerPackages, pkg) {
					entries = append(entries, pkg+"."+sel.Sel.Name)
				}
				return true
			})
		}
		return true
	})
	return entries, wired
}

func selectorString(e ast.Expr) string {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			return id.Name + "." + sel.Sel.Name
		}
	}
	return ""
}

// reach answers every selector name used by the declarations reachable from entries.
func reach(graph map[string]*decl, entries []string) map[string]bool {
	used := map[string]bool{}
	seen := map[string]bool{}
	todo := slices.Clone(entries)
	for len(todo) > 0 {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[k] {
			continue
		}
		seen[k] = true
		d := graph[k]
		if d == nil {
			continue
		}
		for f := range d.fields {
			used[f] = true
		}
		todo = append(todo, d.refs...)
	}
	return used
}
