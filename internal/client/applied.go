package client

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// WriteOnly tells a conditional update how to recognise its own write of a
// write-only field (a password or certificate, which the service never
// returns): the field's write raises versionField (such as secretVersion)
// above before, the value the caller last saw. Without it, an update that
// sends such a field is never taken as already applied.
func WriteOnly(field, versionField string, before int64) RequestOption {
	return func(o *requestOpts) {
		if o.writeOnly == nil {
			o.writeOnly = map[string]writeOnlyVersion{}
		}
		o.writeOnly[field] = writeOnlyVersion{field: versionField, before: before}
	}
}

type writeOnlyVersion struct {
	field  string
	before int64
}

// alreadyApplied decides whether a conditional PATCH that a retry saw
// refused with 412 was in fact applied by an earlier attempt whose answer
// was lost. It reads the object and says yes only when both hold:
//
//   - the object changed exactly once since the If-Match version: its ETag
//     is that version plus one (the ETag is the object's version number,
//     api/openapi.yaml). So one write happened, and no second writer came
//     after it;
//   - the object holds every value the PATCH sent: each field of the body
//     equals the object's (objects compared on the keys sent, lists as
//     multisets; a zero value sent matches an absent field). A write-only
//     field cannot be compared by value: it counts as held only when the
//     caller said which version counter its write raises (WriteOnly) and
//     the counter is above the value the caller last saw.
//
// What remains possible is that the one write was somebody else's that set
// exactly the values Terraform sent (and, for a secret, some secret of
// theirs): the service keys its secret fingerprints, so a client cannot
// tell two passwords apart. Such a write would have to land in the seconds
// between a lost answer and its retry; a 412 for it would tell the user
// nothing they can act on, since the object already looks as planned.
//
// It returns the object as read (with its ETag) for the caller to use as
// the update's answer.
func (c *Client) alreadyApplied(ctx context.Context, p string, payload []byte, o *requestOpts) (*answer, bool) {
	want, ok := etagVersion(o.ifMatch)
	if !ok {
		return nil, false
	}
	var raw json.RawMessage
	resp, err := c.do(ctx, http.MethodGet, p, nil, &raw)
	if err != nil {
		return nil, false
	}
	got, ok := etagVersion(resp.ETag)
	if !ok || got != want+1 {
		return nil, false
	}
	var sent, have map[string]any
	if json.Unmarshal(payload, &sent) != nil || json.Unmarshal(raw, &have) != nil {
		return nil, false
	}
	for k, v := range sent {
		hv, present := have[k]
		if !present && !isZero(v) {
			wo, known := o.writeOnly[k]
			if !known {
				return nil, false
			}
			n, isNum := have[wo.field].(float64)
			if !isNum || int64(n) <= wo.before {
				return nil, false
			}
			continue
		}
		if !holds(v, hv) {
			return nil, false
		}
	}
	h := http.Header{}
	h.Set("ETag", resp.ETag)
	return &answer{status: http.StatusOK, header: h, data: raw}, true
}

// etagVersion reads the version number of an ETag such as "7".
func etagVersion(etag string) (int64, bool) {
	s := strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	s, ok := strings.CutPrefix(s, `"`)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, `"`)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// holds reports whether the object's value have carries the value sent.
func holds(sent, have any) bool {
	switch s := sent.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return have == nil && len(s) == 0
		}
		for k, v := range s {
			hv, present := h[k]
			if !present {
				if !isZero(v) {
					return false
				}
				continue
			}
			if !holds(v, hv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return have == nil && len(s) == 0
		}
		// Lists match as multisets: the service may keep a set (services,
		// functions, credential ids) in its own order.
		if len(h) != len(s) {
			return false
		}
		used := make([]bool, len(h))
	next:
		for _, sv := range s {
			for j, hv := range h {
				if !used[j] && holds(sv, hv) {
					used[j] = true
					continue next
				}
			}
			return false
		}
		return true
	}
	if have == nil {
		return isZero(sent)
	}
	return reflect.DeepEqual(sent, have)
}

// isZero is true for what an omitempty field of the object leaves out.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}
