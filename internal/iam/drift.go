package iam

import (
	"fmt"
	"slices"
)

// DriftKind names one way the IAM objects differ from the configuration.
type DriftKind string

// Kinds of drift, as DetectDrift reports them.
const (
	DriftRoleMissing    DriftKind = "role_missing"
	DriftTrustPolicy    DriftKind = "trust_policy_changed"
	DriftRoleSettings   DriftKind = "role_settings_changed"
	DriftPolicyMissing  DriftKind = "policy_missing"
	DriftPolicyDetached DriftKind = "policy_detached"
	DriftPolicyDocument DriftKind = "policy_document_changed"
	// DriftExtraPolicy is a managed policy attached to the role that is
	// neither the registration's nor allowed by Spec.AllowedExtraPolicyARNs.
	DriftExtraPolicy DriftKind = "extra_policy_attached"
	// DriftInlinePolicy is an inline policy of the role that
	// Spec.AllowedInlinePolicyNames does not allow.
	DriftInlinePolicy DriftKind = "inline_policy_added"
)

// Drift is one difference between a Spec and the State read from IAM.
type Drift struct {
	Kind DriftKind
	// Object is the role name or the policy name the drift is about.
	Object string
	// Detail adds what was found, for example the default version id of a
	// policy whose document changed.
	Detail string
}

// String describes the drift in a sentence fit for a Terraform warning.
func (d Drift) String() string {
	var s string
	switch d.Kind {
	case DriftRoleMissing:
		s = fmt.Sprintf("IAM role %q no longer exists", d.Object)
	case DriftTrustPolicy:
		s = fmt.Sprintf("the trust policy of IAM role %q was changed outside Terraform", d.Object)
	case DriftRoleSettings:
		s = fmt.Sprintf("the description or maximum session duration of IAM role %q was changed outside Terraform", d.Object)
	case DriftPolicyMissing:
		s = fmt.Sprintf("IAM policy %q no longer exists", d.Object)
	case DriftPolicyDetached:
		s = fmt.Sprintf("IAM policy %q is no longer attached to the role", d.Object)
	case DriftPolicyDocument:
		s = fmt.Sprintf("the default version of IAM policy %q has a different document", d.Object)
	case DriftExtraPolicy:
		s = fmt.Sprintf("IAM policy %q was attached to the role outside Terraform and is not in allowed_extra_policy_arns", d.Object)
	case DriftInlinePolicy:
		s = fmt.Sprintf("inline policy %q was added to the role outside Terraform and is not in allowed_inline_policy_names", d.Object)
	default:
		s = fmt.Sprintf("%s: %s", d.Kind, d.Object)
	}
	if d.Detail != "" {
		s += " (" + d.Detail + ")"
	}
	return s
}

// DetectDrift lists how st differs from spec, in a stable order: the role,
// then each of spec's policies in order, then extra managed policies and
// inline policies, each sorted. A nil st means the role is missing
// (Read returned ErrRoleNotFound), which makes everything else moot.
// Reconnect repairs every kind except DriftRoleMissing, which needs Create.
func DetectDrift(spec Spec, st *State) []Drift {
	if st == nil {
		return []Drift{{Kind: DriftRoleMissing, Object: spec.RoleName}}
	}
	var out []Drift
	if !samePolicy(st.TrustPolicy, spec.TrustPolicy) {
		out = append(out, Drift{Kind: DriftTrustPolicy, Object: st.RoleName})
	}
	if _, changed := roleUpdate(st.Description, st.MaxSessionDuration, spec); changed {
		out = append(out, Drift{Kind: DriftRoleSettings, Object: st.RoleName,
			Detail: fmt.Sprintf("description %q, max session %d s", st.Description, st.MaxSessionDuration)})
	}
	byName := make(map[string]PolicyState, len(st.Policies))
	for _, p := range st.Policies {
		byName[p.Name] = p
	}
	for _, want := range spec.Policies {
		got, ok := byName[want.Name]
		switch {
		case !ok || !got.Exists:
			out = append(out, Drift{Kind: DriftPolicyMissing, Object: want.Name})
			continue
		case !got.Attached:
			out = append(out, Drift{Kind: DriftPolicyDetached, Object: want.Name, Detail: got.ARN})
		}
		if !samePolicy(got.Document, want.Document) {
			out = append(out, Drift{Kind: DriftPolicyDocument, Object: want.Name,
				Detail: "default version " + got.DefaultVersionID})
		}
	}
	managed, inline := ExtraPolicies(spec, st)
	for _, p := range managed {
		out = append(out, Drift{Kind: DriftExtraPolicy, Object: p})
	}
	for _, p := range inline {
		out = append(out, Drift{Kind: DriftInlinePolicy, Object: p, Detail: "role " + st.RoleName})
	}
	return out
}

// ExtraPolicies returns what gives the role permissions beyond spec's
// policies: attached managed policies that are neither the registration's
// (st.Policies) nor in spec.AllowedExtraPolicyARNs, and inline policies not
// in spec.AllowedInlinePolicyNames, both sorted. Reconnect removes them.
func ExtraPolicies(spec Spec, st *State) (managed, inline []string) {
	own := st.PolicyARNs()
	for _, p := range st.AttachedPolicyARNs {
		if !slices.Contains(own, p) && !slices.Contains(spec.AllowedExtraPolicyARNs, p) {
			managed = append(managed, p)
		}
	}
	for _, p := range st.InlinePolicyNames {
		if !slices.Contains(spec.AllowedInlinePolicyNames, p) {
			inline = append(inline, p)
		}
	}
	slices.Sort(managed)
	slices.Sort(inline)
	return managed, inline
}
