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
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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
		mt, params, err := mime.ParseMediaType(ct)
		// The API document lists application/json only.
		if err != nil || mt != "application/json" {
			return &domain.Error{Status: http.StatusUnsupportedMediaType, Code: domain.CodeBadRequest,
				Message: "request body must be application/json"}
		}
		// JSON is UTF-8 (RFC 8259 section 8.1) and is read as such; a
		// client that declares another charset has encoded its text in a
		// way the service would misread, so it is told instead.
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return &domain.Error{Status: http.StatusUnsupportedMediaType, Code: domain.CodeBadRequest,
				Message: fmt.Sprintf("request body must be UTF-8 JSON, not charset %q: send application/json without a charset or with charset=utf-8", cs)}
		}
	}
	// A compressed body would be read as the JSON it is not (or, worse,
	// a plain one declared compressed as something it does not say).
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return &domain.Error{Status: http.StatusUnsupportedMediaType, Code: domain.CodeBadRequest,
			Message: fmt.Sprintf("request bodies are not compressed here (Content-Encoding %q); send the JSON without Content-Encoding", ce)}
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
		// encoding/json keeps the last of repeated names, other parsers
		// the first: a body that names a field twice could mean one value
		// to a proxy or a log reader and another to the service, so it is
		// refused rather than guessed at.
		if field, found := repeatedKey(body); found {
			return domain.BadRequest(domain.CodeInvalidValue, field,
				"field %q is given more than once; give each field once", field)
		}
		if key := inexactKey(doc, reflect.TypeOf(v)); key != "" {
			return unknownField(key)
		}
		// encoding/json takes null as "absent" (or as the zero value in a
		// list), which the API document does not allow: no property is
		// nullable. A null is refused rather than read as something the
		// client did not write.
		if doc == nil {
			return domain.BadRequest(domain.CodeBadRequest, "", "request body must be a JSON object, not null")
		}
		if field, found := nullField(doc, ""); found {
			return domain.BadRequest(domain.CodeInvalidValue, field,
				"field %q is null; leave it out to keep its value, or give it one", field)
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
	// encoding/json decodes "\u0000" into NUL and replaces bytes that are
	// not UTF-8 with U+FFFD, both silently, so the decoded strings are
	// checked (CheckText refuses both, naming the field) and then the raw
	// body, for bytes that reached no field.
	if err := checkStrings(reflect.ValueOf(v), "", textKind("")); err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return domain.BadRequest(domain.CodeBadRequest, "", "request body is not valid UTF-8")
	}
	return nil
}

// textKind is the domain.TextKind a `text` struct tag names. A tag the
// domain does not define is a programming error, caught by every test that
// decodes the type.
func textKind(tag string) domain.TextKind {
	k, ok := domain.TextKindOf(tag)
	if !ok {
		panic(fmt.Sprintf("server: unknown text kind %q in a struct tag", tag))
	}
	return k
}

// checkStrings applies domain.CheckText to every string of a decoded
// request, naming each by its JSON path ("appProfiles[1].impersonationUser",
// "services[0]"). A field's `text` tag gives its kind; list items take
// their list's.
func checkStrings(v reflect.Value, path string, kind domain.TextKind) *domain.Error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkStrings(v.Elem(), path, kind)
	case reflect.String:
		return domain.CheckText(path, v.String(), kind)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), kind); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			p := k.String()
			if path != "" {
				p = path + "." + p
			}
			if err := domain.CheckText(p, k.String(), kind); err != nil {
				return err
			}
			if err := checkStrings(v.MapIndex(k), p, kind); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-" || !f.IsExported() && !f.Anonymous:
				continue
			case f.Anonymous && name == "":
				// Embedded fields are decoded into the outer object.
				if err := checkStrings(v.Field(i), path, kind); err != nil {
					return err
				}
				continue
			case name == "":
				name = f.Name
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			if err := checkStrings(v.Field(i), p, textKind(f.Tag.Get("text"))); err != nil {
				return err
			}
		}
	}
	return nil
}

// repeatedKey finds the first object name that appears twice in one
// object of a JSON text that encoding/json has already accepted (so that
// its nesting depth is bounded), and returns its path ("appProfiles[0].id").
// Names are compared after unescaping: "n\u0061me" repeats "name".
func repeatedKey(body []byte) (string, bool) {
	type frame struct {
		path   string
		object bool
		keys   map[string]bool
		index  int    // next array element
		key    string // the name whose value comes next, in an object
		valued bool   // key is read and its value not yet
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*frame
	// child is the path of the value about to start in the top frame.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			if f.path == "" {
				return f.key
			}
			return f.path + "." + f.key
		}
		p := fmt.Sprintf("%s[%d]", f.path, f.index)
		f.index++
		return p
	}
	expectKey := func() bool {
		if len(stack) == 0 {
			return false
		}
		f := stack[len(stack)-1]
		return f.object && !f.valued
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				p := child()
				stack = append(stack, &frame{path: p, object: d == '{', keys: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].valued = false
				}
			}
			continue
		}
		if expectKey() {
			f := stack[len(stack)-1]
			k, _ := tok.(string)
			f.key, f.valued = k, true
			if f.keys[k] {
				return child(), true
			}
			f.keys[k] = true
			continue
		}
		// A scalar value.
		_ = child()
		if len(stack) > 0 {
			stack[len(stack)-1].valued = false
		}
	}
}

// nullField finds the first null (in sorted key order) in a decoded JSON
// value and returns its path.
func nullField(v any, path string) (string, bool) {
	switch x := v.(type) {
	case nil:
		return path, true
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if f, ok := nullField(x[k], p); ok {
				return f, true
			}
		}
	case []any:
		for i, e := range x {
			if f, ok := nullField(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return f, true
			}
		}
	}
	return "", false
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

// Request parameters. The path and query parameters are checked before the
// handler runs, with the same rule as body text (domain.CheckText), and the
// Idempotency-Key header before its claim, so that none reaches the
// database with NUL, bytes that are not UTF-8 or an unbounded length.

// paramKinds are the parameters with a limit of their own; every other
// parameter is a single line of at most domain.TextMaxLength characters.
var paramKinds = map[string]domain.TextKind{
	// A search keyword longer than a name cannot match one.
	"search": {MaxLength: domain.NameMaxLength},
}

func paramKind(name string) domain.TextKind {
	if k, ok := paramKinds[name]; ok {
		return k
	}
	return textKind("")
}

// wildcardPattern finds the wildcards of a ServeMux pattern.
var wildcardPattern = regexp.MustCompile(`\{([A-Za-z0-9_]+)(?:\.\.\.)?\}`)

// handle registers h for pattern behind checkParams.
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.register(mux, pattern, h, true)
}

// handlePage is handle for the pages a browser reaches from a platform's
// redirect. Their query parameters are the platform's (codes, scopes,
// error descriptions) with lengths the service does not set, and nothing
// reads storage before the signature of their state is verified, so only
// the path values are checked.
func (s *Server) handlePage(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.register(mux, pattern, h, false)
}

// pagingParams are the query parameters of every list that pages.
var pagingParams = []string{"search", "top", "skipToken"}

// queryParams are the query parameters each route takes, as api/openapi.yaml
// lists them (a test holds the two together); a route not named takes none.
// Anything else is refused, as unknown body fields are: a misspelt filter
// ("?plaform=amazon", say) would otherwise list everything.
var queryParams = map[string][]string{
	"GET /v1/tenants":                         append([]string{"platform"}, pagingParams...),
	"GET /v1/tenants/{id}/containers":         pagingParams,
	"GET /v1/app-profiles":                    append([]string{"tenantId", "type"}, pagingParams...),
	"GET /v1/partner-app-profiles":            pagingParams,
	"GET /v1/partner-app-profiles/{id}/users": pagingParams,
	"GET /v1/service-accounts":                append([]string{"tenantId"}, pagingParams...),
	"GET /v1/connections":                     append([]string{"tenantId", "type"}, pagingParams...),
}

func (s *Server) register(mux *http.ServeMux, pattern string, h http.HandlerFunc, query bool) {
	var wildcards []string
	for _, m := range wildcardPattern.FindAllStringSubmatch(pattern, -1) {
		wildcards = append(wildcards, m[1])
	}
	var allowed []string
	if query {
		allowed = queryParams[pattern]
	}
	s.route(mux, pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := checkParams(r, wildcards, query, allowed); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r)
	})
}

// route registers h for pattern ("METHOD /path") on mux and remembers the
// method, so that fallbacks can answer the other methods.
func (s *Server) route(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, h)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return
	}
	if s.methods == nil {
		s.methods = map[*http.ServeMux]map[string][]string{}
	}
	if s.methods[mux] == nil {
		s.methods[mux] = map[string][]string{}
	}
	s.methods[mux][path] = append(s.methods[mux][path], method)
}

// fallbacks gives mux the API's error shape where ServeMux would answer in
// plain text: every path registered for some methods answers the others
// with 405 and Allow (a pattern without a method is less specific than the
// registered ones, so it only sees the rest), and any other path with 404.
func (s *Server) fallbacks(mux *http.ServeMux, root string) {
	for path, methods := range s.methods[mux] {
		allow := slices.Clone(methods)
		if slices.Contains(allow, http.MethodGet) {
			allow = append(allow, http.MethodHead)
		}
		slices.Sort(allow)
		allowed := strings.Join(allow, ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allowed)
			s.writeError(w, r, &domain.Error{Status: http.StatusMethodNotAllowed, Code: domain.CodeMethodNotAllowed,
				Message: fmt.Sprintf("%s does not take %s; use %s", r.URL.Path, r.Method, allowed)})
		})
	}
	mux.HandleFunc(root, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &domain.Error{Status: http.StatusNotFound, Code: domain.CodeNotFound,
			Message: "no API route " + r.Method + " " + r.URL.Path})
	})
}

// checkParams refuses a request whose path values (the pattern's
// wildcards) or query parameters (when query is set) the service cannot
// take, with a 400 naming the parameter. Idempotency-Key is checked where
// it is used (mutate), since only POST takes it.
func checkParams(r *http.Request, wildcards []string, query bool, allowed []string) error {
	for _, name := range wildcards {
		if err := domain.CheckText(name, r.PathValue(name), paramKind(name)); err != nil {
			return err
		}
	}
	if !query {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return domain.BadRequest(domain.CodeBadRequest, "", "the query string is not valid URL encoding: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		// Every parameter of the API takes one value; of two, the
		// handlers would read the first and a proxy perhaps the last.
		if !slices.Contains(allowed, name) {
			takes := "no query parameters"
			if len(allowed) > 0 {
				takes = "only " + strings.Join(allowed, ", ")
			}
			return domain.BadRequest(domain.CodeUnknownField, name,
				"query parameter %q is not one this request takes (it takes %s); remove it or check its spelling", name, takes)
		}
		if n := len(q[name]); n > 1 {
			return domain.BadRequest(domain.CodeInvalidValue, name, "query parameter %s is given %d times; give it once", name, n)
		}
		for _, v := range q[name] {
			if err := domain.CheckText(name, v, paramKind(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxIdempotencyKeyLength bounds Idempotency-Key, which is stored as the
// key of an index.
const maxIdempotencyKeyLength = 200

// idempotencyKey returns the request's Idempotency-Key ("" for none). A key
// is printable ASCII, as the header's definition as a string structured
// field allows (RFC 9651 section 3.3.3), and at most 200 characters.
func idempotencyKey(r *http.Request) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKeyLength {
		return "", domain.BadRequest(domain.CodeBadRequest, "Idempotency-Key", "Idempotency-Key must be at most %d characters", maxIdempotencyKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return "", domain.BadRequest(domain.CodeBadRequest, "Idempotency-Key",
				"Idempotency-Key must be printable ASCII (such as a UUID); it has another byte at position %d", i+1)
		}
	}
	return key, nil
}
