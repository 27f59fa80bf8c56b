package iam

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func TestNormalizePolicy(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","ec2:DescribeInstances"],"Resource":"*"}]}`
	want, err := NormalizePolicy(base)
	if err != nil {
		t.Fatal(err)
	}
	same := []string{
		// Whitespace and key order.
		"{\n  \"Statement\": [ {\"Resource\": \"*\", \"Action\": [\"s3:GetObject\", \"ec2:DescribeInstances\"], \"Effect\": \"Allow\"} ],\n  \"Version\": \"2012-10-17\"\n}",
		// Action order, duplicates, a one-element Resource list.
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:GetObject","s3:GetObject"],"Resource":["*"]}]}`,
		// A single statement object instead of a one-element list.
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:GetObject"],"Resource":"*"}}`,
		// URL-encoded, as IAM returns documents.
		url.QueryEscape(base),
	}
	for _, doc := range same {
		got, err := NormalizePolicy(doc)
		if err != nil {
			t.Errorf("NormalizePolicy(%s): %v", doc, err)
			continue
		}
		if got != want {
			t.Errorf("NormalizePolicy(%s)\n got %s\nwant %s", doc, got, want)
		}
	}
	different := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject","ec2:DescribeInstances"],"Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	}
	for _, doc := range different {
		if got, _ := NormalizePolicy(doc); got == want {
			t.Errorf("NormalizePolicy(%s) equals the base document", doc)
		}
	}
	for _, bad := range []string{"", "not json", "{", `{"a":1} trailing`, "%zz"} {
		if _, err := NormalizePolicy(bad); err == nil {
			t.Errorf("NormalizePolicy(%q) accepted a malformed document", bad)
		}
	}
}

func TestNormalizePolicyKeepsSpecialCharacters(t *testing.T) {
	trust := domain.AmazonTrustPolicy("arn:aws:iam::111122223333:root", "a b+c%d&<e>")
	got, err := NormalizePolicy(url.QueryEscape(trust))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"a b+c%d&<e>"`) {
		t.Errorf("external id mangled: %s", got)
	}
	if !samePolicy(got, trust) {
		t.Error("trust policy differs from its encoded form")
	}
}

func TestSpecValidate(t *testing.T) {
	good := SpecFor("t-1", domain.AmazonTenant{ExternalID: "x", ServicePrincipal: "arn:aws:iam::111122223333:root"}, 1)
	if err := good.Validate(); err != nil {
		t.Fatalf("valid spec refused: %v", err)
	}
	if good.RoleName != domain.DefaultAmazonRoleName {
		t.Errorf("default role name = %q", good.RoleName)
	}
	for name, mutate := range map[string]func(*Spec){
		"no role name":     func(s *Spec) { s.RoleName = "" },
		"malformed trust":  func(s *Spec) { s.TrustPolicy = "{" },
		"malformed policy": func(s *Spec) { s.Policies = []domain.PolicyDocument{{Name: "p", Document: "x"}} },
		"duplicate policy": func(s *Spec) { s.Policies = append(s.Policies, s.Policies[0]) },
		"session too long": func(s *Spec) { s.MaxSessionDuration = 50000 },
		"no owner tag":     func(s *Spec) { s.Tags = map[string]string{TagManagedBy: TagManagedByValue} },
	} {
		s := good
		s.Policies = append([]domain.PolicyDocument(nil), good.Policies...)
		mutate(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDriftString(t *testing.T) {
	for _, d := range []Drift{
		{Kind: DriftRoleMissing, Object: "R"},
		{Kind: DriftTrustPolicy, Object: "R"},
		{Kind: DriftRoleSettings, Object: "R"},
		{Kind: DriftPolicyMissing, Object: "P"},
		{Kind: DriftPolicyDetached, Object: "P"},
		{Kind: DriftPolicyDocument, Object: "P", Detail: "default version v3"},
		{Kind: DriftExtraPolicy, Object: "arn:aws:iam::1:policy/X"},
		{Kind: DriftInlinePolicy, Object: "I", Detail: "role R"},
	} {
		s := d.String()
		if !strings.Contains(s, `"`+d.Object+`"`) || strings.Contains(s, string(d.Kind)) {
			t.Errorf("%s: %q does not read as a sentence about %s", d.Kind, s, d.Object)
		}
	}
}

func TestPolicyARNsFor(t *testing.T) {
	got, err := PolicyARNsFor("arn:aws-cn:iam::123456789012:role/R", domain.AmazonPolicies(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "arn:aws-cn:iam::123456789012:policy/"+domain.AmazonDiscoveryPolicyName {
		t.Errorf("ARNs = %v", got)
	}
	if _, err := PolicyARNsFor("R", nil); err == nil {
		t.Error("a role name was accepted as an ARN")
	}
}
