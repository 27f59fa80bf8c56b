package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// maxBodyBytes caps every request body; a registration object is a few KiB,
// certificates included, so 1 MiB leaves room without inviting abuse.
const maxBodyBytes = 1 << 20

// readBody reads the capped request body. A body over the cap is a 413.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &domain.Error{Status: http.StatusRequestEntityTooLarge, Code: domain.CodeTooLarge,
				Message: fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)}
		}
		return nil, &domain.Error{Status: http.StatusBadRequest, Code: domain.CodeBadRequest, Message: "reading request body: " + err.Error()}
	}
	return b, nil
}

// decodeStrict decodes a JSON object into v, refusing unknown fields and
// naming the offending field, so a typo in a client is an error and not a
// silently ignored setting.
func decodeStrict(r *http.Request, body []byte, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		// The API document lists application/json only.
		if err != nil || mt != "application/json" {
			return &domain.Error{Status: http.StatusUnsupportedMediaType, Code: domain.CodeBadRequest,
				Message: "request body must be application/json"}
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	// encoding/json matches names ignoring case; the API's names are
	// case-sensitive (additionalProperties: false in the document), so a
	// key that matches only that way is an unknown field too. It is looked
	// for first, so that {"Name": 1} is reported as the unknown field it is
	// rather than as a wrongly typed name.
	var doc any
	if err := json.Unmarshal(body, &doc); err == nil {
		if key := inexactKey(doc, reflect.TypeOf(v)); key != "" {
			return unknownField(key)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return domain.BadRequest(domain.CodeBadRequest, "", "request body must hold exactly one JSON object")
	}
	return nil
}

func unknownField(field string) *domain.Error {
	return domain.BadRequest(domain.CodeUnknownField, field,
		"field %q is not part of this object; remove it or check its spelling", field)
}

// jsonFieldsCache maps a struct type to its JSON names and their types.
var jsonFieldsCache sync.Map

func jsonFields(t reflect.Type) map[string]reflect.Type {
	if v, ok := jsonFieldsCache.Load(t); ok {
		// Only this function stores into the cache, always this type; an
		// entry of another type would just be computed again and replaced.
		if m, ok := v.(map[string]reflect.Type); ok {
			return m
		}
	}
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			maps.Copy(m, jsonFields(f.Type))
			continue
		case name == "":
			name = f.Name
		}
		m[name] = f.Type
	}
	jsonFieldsCache.Store(t, m)
	return m
}

// inexactKey returns the first object key (in sorted order) of the decoded
// JSON value v that is not exactly the JSON name of a field of t, or "".
func inexactKey(v any, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, known := fields[k]
			if !known {
				return k
			}
			if bad := inexactKey(obj[k], ft); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		arr, _ := v.([]any)
		for _, x := range arr {
			if bad := inexactKey(x, t.Elem()); bad != "" {
				return bad
			}
		}
	case reflect.Map:
		obj, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if bad := inexactKey(obj[k], t.Elem()); bad != "" {
				return bad
			}
		}
	}
	return ""
}

func decodeError(err error) *domain.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return domain.BadRequest(domain.CodeInvalidValue, field,
			"field %q must be a JSON %s, not %s", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return domain.BadRequest(domain.CodeBadRequest, "", "request body is not valid JSON (at byte %d): %v", syntaxErr.Offset, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// The name is quoted with %q; unquote it so a name with quotes or
		// escapes is reported as sent.
		quoted := strings.TrimPrefix(err.Error(), "json: unknown field ")
		field, uerr := strconv.Unquote(quoted)
		if uerr != nil {
			field = strings.Trim(quoted, `"`)
		}
		return unknownField(field)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return domain.BadRequest(domain.CodeBadRequest, "", "request body is truncated JSON")
	}
	return domain.BadRequest(domain.CodeBadRequest, "", "request body could not be decoded: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response", http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// etag renders a record version as a strong entity tag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch parses If-Match into an expected version. Zero means the caller
// set no precondition.
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.BadRequest(domain.CodeBadRequest, "If-Match", "If-Match must be an ETag returned by this API, such as \"3\"")
	}
	return v, nil
}
