package bench

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PosError is a configuration error at a place in a YAML file.
type PosError struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Key    string
	Err    error
}

// Error formats the error as "file:line:column: key \"k\": problem"
// (without the parts that are unknown).
func (e *PosError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString("key " + strconv.Quote(e.Key) + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *PosError) Unwrap() error { return e.Err }

// posErr returns a PosError at node n (nil: no position) for key.
func posErr(file string, n *yaml.Node, key string, format string, args ...any) error {
	e := &PosError{File: file, Key: key, Err: fmt.Errorf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// decodeStrict decodes n into v (a pointer). Unlike yaml.Node.Decode it
// rejects mapping keys that have no field in v's struct types, and reports
// every problem with the file, the line and the dotted key.
func decodeStrict(file string, n *yaml.Node, v any, key string) error {
	n = resolve(n)
	if n == nil {
		return nil
	}
	if err := checkNode(file, n, reflect.TypeOf(v).Elem(), key); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return posErr(file, n, key, "%w", err)
	}
	return nil
}

// resolve follows document and alias nodes.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func join(key, k string) string {
	if key == "" {
		return k
	}
	return key + "." + k
}

// checkNode verifies that n fits type t: known keys, right shapes, scalars
// that decode.
func checkNode(file string, n *yaml.Node, t reflect.Type, key string) error {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType || t.Kind() == reflect.Interface {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return checkLeaf(file, n, t, key)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return posErr(file, n, key, "expected a mapping of %s, got %s", fieldList(t), kindName(n))
		}
		fields := structFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				return posErr(file, k, join(key, k.Value), "unknown key (known: %s)", fieldList(t))
			}
			if err := checkNode(file, val, f, join(key, k.Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return posErr(file, n, key, "expected a mapping, got %s", kindName(n))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkNode(file, n.Content[i+1], t.Elem(), join(key, n.Content[i].Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return posErr(file, n, key, "expected a list, got %s", kindName(n))
		}
		for i, it := range n.Content {
			if err := checkNode(file, it, t.Elem(), fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return checkLeaf(file, n, t, key)
}

func checkLeaf(file string, n *yaml.Node, t reflect.Type, key string) error {
	v := reflect.New(t)
	if err := n.Decode(v.Interface()); err != nil {
		msg := err.Error()
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) == 1 {
			msg = te.Errors[0]
			if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
				msg = msg[i+2:]
			}
		}
		return posErr(file, n, key, "%s", msg)
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

// structFields maps the YAML keys of struct type t to field types,
// flattening inline fields.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func fieldList(t reflect.Type) string {
	fields := structFields(t)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// cloneNode deep-copies a YAML node tree.
func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = cloneNode(x)
		}
	}
	return &c
}

// mapValue returns the value node of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// setPath replaces the value at a dotted path in root (a mapping) with val,
// creating missing mapping keys (placed at val's position, so that errors
// about them point at the sweep value). In a list, a segment selects the item by
// index or by its "as" or "name" key; in a method item, a segment other
// than name, as and params addresses params.<segment>.
func setPath(root *yaml.Node, path string, val *yaml.Node) error {
	segs := strings.Split(path, ".")
	n := resolve(root)
	inMethods := false
	for i, seg := range segs {
		last := i == len(segs)-1
		switch n.Kind {
		case yaml.MappingNode:
			if inMethods && seg != "name" && seg != "as" && seg != "params" {
				// shorthand methods.<m>.<key> = methods.<m>.params.<key>
				segs = append(segs[:i], append([]string{"params"}, segs[i:]...)...)
				return setPath(root, strings.Join(segs, "."), val)
			}
			inMethods = false
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == seg {
					if last {
						n.Content[j+1] = val
						return nil
					}
					next = resolve(n.Content[j+1])
					if isNull(next) {
						next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: val.Line, Column: val.Column}
						n.Content[j+1] = next
					}
				}
			}
			if next == nil {
				k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg, Line: val.Line, Column: val.Column}
				if last {
					n.Content = append(n.Content, k, val)
					return nil
				}
				next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: val.Line, Column: val.Column}
				n.Content = append(n.Content, k, next)
			}
			n = next
		case yaml.SequenceNode:
			var next *yaml.Node
			if idx, err := strconv.Atoi(seg); err == nil && idx >= 0 && idx < len(n.Content) {
				next = n.Content[idx]
			} else {
				for _, it := range n.Content {
					if v := mapValue(it, "as"); v != nil && v.Value == seg {
						next = it
						break
					}
				}
				if next == nil {
					for _, it := range n.Content {
						if v := mapValue(it, "name"); v != nil && v.Value == seg && mapValue(it, "as") == nil {
							next = it
							break
						}
					}
				}
			}
			if next == nil {
				return fmt.Errorf("path %q: no list item %q", path, seg)
			}
			if last {
				return fmt.Errorf("path %q: cannot replace a whole list item", path)
			}
			inMethods = segs[0] == "methods" && i == 1
			n = resolve(next)
		default:
			return fmt.Errorf("path %q: %q is not a mapping or list", path, strings.Join(segs[:i], "."))
		}
	}
	return nil
}
