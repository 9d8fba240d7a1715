package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// obj is a JSON object that keeps its keys in order, so that the document
// reads in the order it was written and generates byte for byte the same.
type obj struct {
	keys []string
	vals map[string]any
}

func newObj(kv ...any) *obj {
	o := &obj{vals: map[string]any{}}
	for i := 0; i < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

func (o *obj) get(k string) any { return o.vals[k] }

func (o *obj) has(k string) bool { _, ok := o.vals[k]; return ok }

// set adds k at the end, or replaces its value where it stands.
func (o *obj) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// insertAt puts k with v at index i of the keys, or replaces its value
// where it stands.
func (o *obj) insertAt(i int, k string, v any) {
	if o.has(k) {
		o.vals[k] = v
		return
	}
	o.keys = slices.Insert(o.keys, i, k)
	o.vals[k] = v
}

// index returns where the first of keys that o has stands, or the end.
func (o *obj) index(keys ...string) int {
	for _, k := range keys {
		if i := slices.Index(o.keys, k); i >= 0 {
			return i
		}
	}
	return len(o.keys)
}

// replace puts k2 with v where k stands, removing k.
func (o *obj) replace(k, k2 string, v any) {
	for i, key := range o.keys {
		if key == k {
			o.keys[i] = k2
		}
	}
	delete(o.vals, k)
	o.vals[k2] = v
}

func (o *obj) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// child returns the object at k, which must be one.
func (o *obj) child(k string) *obj {
	c, _ := o.vals[k].(*obj)
	return c
}

// path follows keys down nested objects.
func (o *obj) path(keys ...string) *obj {
	for _, k := range keys {
		if o == nil {
			return nil
		}
		o = o.child(k)
	}
	return o
}

func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal writes v without escaping <, > and &, which the prose uses.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// parse reads JSON, objects as *obj and numbers as json.Number.
func parse(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the top-level value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		o := newObj()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o.set(kt.(string), v)
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return t, nil
}
