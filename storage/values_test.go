package storage

import (
	"bytes"
	"encoding/json"
	"testing"
)

// jsonCol gives back stored JSON compact, whether it comes compact (SQLite,
// as written) or spaced (PostgreSQL's jsonb), the same as json.Compact.
func TestJSONColCompacts(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"a":1}`, `{"a": 1}`, "{\n\t\"a\":\r\n1}",
		`{"a b":"c d","e":[1, 2]}`, `{"a":"say \"hi there\"","b": 2}`,
		`{"a":"back\\","b" :3}`, `{"a":"back\\\\"}`, `{"a":"\\\" x"}`, `{"a":["x y",{"b":"\u00e9 z"}]}`,
		` {"a":1} `, `{"a":"x\"","b": 1}`,
	} {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		for _, src := range []any{in, []byte(in)} {
			var got []byte
			if err := (jsonCol{&got}).Scan(src); err != nil {
				t.Fatalf("Scan(%T %s): %v", src, in, err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("Scan(%T %s) = %s, want %s", src, in, got, want.Bytes())
			}
		}
	}
	// A driver may reuse its buffer: what was scanned is a copy.
	buf := []byte(`{"a":1}`)
	var got []byte
	if err := (jsonCol{&got}).Scan(buf); err != nil {
		t.Fatal(err)
	}
	buf[2] = 'b'
	if string(got) != `{"a":1}` {
		t.Errorf("scanned JSON changed with the driver's buffer: %s", got)
	}
	if err := (jsonCol{&got}).Scan(`{"a": nope}`); err == nil {
		t.Error("spaced JSON that is not valid was accepted")
	}
}
