package domain

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// currentVersion is any permission set version; the service stores the
// current one.
const currentVersion = 1

func TestAmazonPoliciesValidAndDeterministic(t *testing.T) {
	first := AmazonPolicies(currentVersion)
	second := AmazonPolicies(currentVersion)
	if !slices.Equal(first, second) {
		t.Fatalf("AmazonPolicies is not deterministic:\n%v\n%v", first, second)
	}
	if len(first) == 0 {
		t.Fatal("AmazonPolicies returned no policy")
	}
	names := map[string]bool{}
	for _, p := range first {
		if names[p.Name] {
			t.Errorf("policy name %q used twice", p.Name)
		}
		names[p.Name] = true
		// IAM limits managed policy names to 128 characters and documents to
		// 6,144 characters (whitespace excluded).
		if len(p.Name) == 0 || len(p.Name) > 128 {
			t.Errorf("policy name %q has an invalid length", p.Name)
		}
		if len(p.Document) > 6144 {
			t.Errorf("policy %s is %d characters, over the IAM limit", p.Name, len(p.Document))
		}
		doc := mustParsePolicy(t, p.Document)
		if doc["Version"] != "2012-10-17" {
			t.Errorf("policy %s: Version = %v", p.Name, doc["Version"])
		}
		for _, st := range statements(t, doc) {
			if st["Effect"] != "Allow" {
				t.Errorf("policy %s: statement %v is not an Allow", p.Name, st["Sid"])
			}
			if sid, _ := st["Sid"].(string); !strings.HasSuffix(sid, fmt.Sprintf("V%d", currentVersion)) {
				t.Errorf("policy %s: Sid %q does not carry the version", p.Name, sid)
			}
			if st["Resource"] == nil {
				t.Errorf("policy %s: statement %v has no Resource", p.Name, st["Sid"])
			}
		}
	}
}

func TestAmazonPoliciesVersionChangesDocuments(t *testing.T) {
	v1 := AmazonPolicies(1)
	v2 := AmazonPolicies(2)
	if len(v1) != len(v2) {
		t.Fatalf("versions have different policy counts: %d, %d", len(v1), len(v2))
	}
	for i := range v1 {
		if v1[i].Name != v2[i].Name {
			t.Errorf("policy %d renamed from %s to %s; reconnect could not find it", i, v1[i].Name, v2[i].Name)
		}
		if v1[i].Document == v2[i].Document {
			t.Errorf("policy %s: documents of versions 1 and 2 are identical", v1[i].Name)
		}
	}
	if !slices.Equal(AmazonPolicies(0), AmazonPolicies(1)) {
		t.Error("version 0 should be treated as version 1")
	}
}

func TestAmazonTrustPolicy(t *testing.T) {
	const principal = "arn:aws:iam::111122223333:root"
	const externalID = `ext-"quoted"-id`
	got := AmazonTrustPolicy(principal, externalID)
	if got != AmazonTrustPolicy(principal, externalID) {
		t.Fatal("AmazonTrustPolicy is not deterministic")
	}
	doc := mustParsePolicy(t, got)
	sts := statements(t, doc)
	if len(sts) != 1 {
		t.Fatalf("want one statement, got %d", len(sts))
	}
	st := sts[0]
	if st["Effect"] != "Allow" || st["Action"] != "sts:AssumeRole" {
		t.Errorf("statement = %v", st)
	}
	if p, _ := st["Principal"].(map[string]any); p["AWS"] != principal {
		t.Errorf("Principal = %v", st["Principal"])
	}
	cond, _ := st["Condition"].(map[string]any)
	eq, _ := cond["StringEquals"].(map[string]any)
	if eq["sts:ExternalId"] != externalID {
		t.Errorf("Condition = %v, want StringEquals sts:ExternalId %q", st["Condition"], externalID)
	}
}

func TestAmazonConfiguringUserPolicy(t *testing.T) {
	got := AmazonConfiguringUserPolicy()
	if got != AmazonConfiguringUserPolicy() {
		t.Fatal("AmazonConfiguringUserPolicy is not deterministic")
	}
	doc := mustParsePolicy(t, got)
	sts := statements(t, doc)
	if len(sts) != 1 {
		t.Fatalf("want one statement, got %d", len(sts))
	}
	raw, _ := sts[0]["Action"].([]any)
	var actions []string
	for _, a := range raw {
		s, ok := a.(string)
		if !ok {
			t.Fatalf("action %v is not a string", a)
		}
		actions = append(actions, s)
	}
	// The twelve actions of the product documentation must all be granted.
	documented := []string{
		"iam:CreatePolicy", "iam:GetRole", "iam:UpdateAssumeRolePolicy",
		"iam:ListPolicyVersions", "iam:ListAccountAliases", "iam:CreateRole",
		"iam:AttachRolePolicy", "iam:UpdateRole", "iam:CreatePolicyVersion",
		"iam:DeletePolicyVersion", "iam:GetAccountSummary", "iam:SetDefaultPolicyVersion",
	}
	for _, a := range documented {
		if !slices.Contains(actions, a) {
			t.Errorf("configuring user policy lacks documented action %s", a)
		}
	}
	// Destroy and refresh need these on top.
	for _, a := range []string{"iam:DetachRolePolicy", "iam:DeletePolicy", "iam:DeleteRole",
		"iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion"} {
		if !slices.Contains(actions, a) {
			t.Errorf("configuring user policy lacks %s", a)
		}
	}
	if !slices.IsSorted(actions) || len(slices.Compact(slices.Clone(actions))) != len(actions) {
		t.Errorf("actions are not sorted and unique: %v", actions)
	}
	for _, a := range actions {
		if strings.Contains(a, "*") {
			t.Errorf("wildcard action %s is not least privilege", a)
		}
	}
}

func TestAmazonPartitionAndRegion(t *testing.T) {
	for _, tc := range []struct{ env, partition, region string }{
		{"commercial", "aws", "us-east-1"},
		{"gov", "aws-us-gov", "us-gov-west-1"},
		{"china", "aws-cn", "cn-north-1"},
	} {
		if got := AmazonPartition(tc.env); got != tc.partition {
			t.Errorf("AmazonPartition(%s) = %s, want %s", tc.env, got, tc.partition)
		}
		if got := AmazonRegion(tc.env); got != tc.region {
			t.Errorf("AmazonRegion(%s) = %s, want %s", tc.env, got, tc.region)
		}
	}
	for _, env := range AmazonEnvironments {
		if AmazonPartition(env) == "" || AmazonRegion(env) == "" {
			t.Errorf("environment %s has no partition or region", env)
		}
	}
}

func mustParsePolicy(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("policy is not valid JSON: %v\n%s", err, doc)
	}
	return m
}

func statements(t *testing.T, doc map[string]any) []map[string]any {
	t.Helper()
	raw, ok := doc["Statement"].([]any)
	if !ok || len(raw) == 0 {
		t.Fatalf("policy has no Statement list: %v", doc)
	}
	var out []map[string]any
	for _, r := range raw {
		st, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("statement is not an object: %v", r)
		}
		out = append(out, st)
	}
	return out
}

func TestPermissionSetForAmazon(t *testing.T) {
	ps := PermissionSetFor(PlatformAmazon, 2)
	if !slices.Equal(ps.Policies, AmazonPolicies(2)) {
		t.Error("the Amazon permission set does not carry AmazonPolicies of its version")
	}
	if !slices.Equal(ps.ConfiguringUserActions, AmazonConfiguringUserActions) {
		t.Error("the Amazon permission set does not carry the configuring user actions")
	}
}

// TestAmazonOperationActions pins the per-operation lists against what the
// documentation's twelve actions lack, which is what made a user holding
// only those fail half-way through a connect and then fail to roll back.
func TestAmazonOperationActions(t *testing.T) {
	create := AmazonOperationActions(AmazonOperationCreate)
	for _, a := range AmazonDocumentedActions {
		if !slices.Contains(create, a) {
			t.Errorf("create lacks documented action %s", a)
		}
	}
	// What the twelve lack: reading back, and the rollback.
	for _, a := range []string{"iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion",
		"iam:DetachRolePolicy", "iam:DeletePolicy", "iam:DeleteRole", "iam:TagRole",
		"iam:ListRolePolicies", "iam:DeleteRolePolicy"} {
		if slices.Contains(AmazonDocumentedActions, a) {
			t.Errorf("%s is documented; the test's premise changed", a)
		}
		if !slices.Contains(create, a) {
			t.Errorf("create lacks %s", a)
		}
	}
	if !slices.Equal(create, AmazonOperationActions(AmazonOperationReconnect)) {
		t.Error("create and reconnect need the same actions (reconnect re-creates a deleted role, create finishes a half-made one)")
	}
	read := AmazonOperationActions(AmazonOperationRead)
	if want := []string{"iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"}; !slices.Equal(read, want) {
		t.Errorf("read = %v, want %v", read, want)
	}
	destroy := AmazonOperationActions(AmazonOperationDestroy)
	for _, a := range destroy {
		if strings.Contains(a, "Create") || strings.Contains(a, "Update") || strings.Contains(a, "Attach") && !strings.Contains(a, "Detach") &&
			!strings.Contains(a, "ListAttached") {
			t.Errorf("destroy must not need %s", a)
		}
	}
	for _, op := range AmazonOperations {
		acts := AmazonOperationActions(op)
		if len(acts) == 0 || !slices.IsSorted(acts) {
			t.Errorf("%s: %v is empty or unsorted", op, acts)
		}
		for _, a := range acts {
			if !slices.Contains(AmazonConfiguringUserActions, a) {
				t.Errorf("%s needs %s, which the configuring user policy lacks", op, a)
			}
		}
	}
	if AmazonOperationActions("teleport") != nil {
		t.Error("unknown operation has actions")
	}
}
