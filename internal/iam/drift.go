package iam

import "fmt"

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
	default:
		s = fmt.Sprintf("%s: %s", d.Kind, d.Object)
	}
	if d.Detail != "" {
		s += " (" + d.Detail + ")"
	}
	return s
}

// DetectDrift lists how st differs from spec, in a stable order: the role,
// then each of spec's policies in order. A nil st means the role is missing
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
	return out
}
