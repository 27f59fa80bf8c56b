package domain

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Names of the managed policies the role carries. They are fixed so that a
// reconnect finds the policies an earlier connect created.
const (
	AmazonDiscoveryPolicyName = "AOSTenantAdminPolicy"
	AmazonBackupPolicyName    = "AOSTenantBackupPolicy"
)

// iamPolicyVersion is the IAM policy language version; it is not the
// permission set version.
const iamPolicyVersion = "2012-10-17"

// AmazonDocumentedActions are the twelve IAM actions the product
// documentation lists for the IAM user that connects and reconnects an AWS
// account. They are not enough on their own: an IAM user holding exactly
// these can neither read back what it created (ListAttachedRolePolicies,
// GetPolicy, GetPolicyVersion) nor undo a failed connect (DetachRolePolicy,
// DeletePolicy, DeleteRole). AmazonOperationActions gives what each
// operation of the provider really calls; every documented action is part
// of connect (create) and reconnect.
var AmazonDocumentedActions = []string{
	"iam:CreatePolicy",
	"iam:GetRole",
	"iam:UpdateAssumeRolePolicy",
	"iam:ListPolicyVersions",
	"iam:ListAccountAliases",
	"iam:CreateRole",
	"iam:AttachRolePolicy",
	"iam:UpdateRole",
	"iam:CreatePolicyVersion",
	"iam:DeletePolicyVersion",
	"iam:GetAccountSummary",
	"iam:SetDefaultPolicyVersion",
}

// Operations of the provider on an Amazon tenant's IAM objects, as
// AmazonOperationActions names them.
const (
	// AmazonOperationCreate connects an account: it creates the role and
	// policies, takes over what an earlier create left half-made, and
	// rolls back what it made when a later step fails.
	AmazonOperationCreate = "create"
	// AmazonOperationRead is refresh, the plan's drift check and import:
	// read the role, its attachments and inline policies, and the
	// policies' default documents.
	AmazonOperationRead = "read"
	// AmazonOperationReconnect brings the role to a newer permission set
	// or repairs drift: trust policy, policy versions, attachments, extra
	// policies removed; a deleted role is created again (with create's
	// rollback).
	AmazonOperationReconnect = "reconnect"
	// AmazonOperationDestroy removes the role and policies.
	AmazonOperationDestroy = "destroy"
)

// AmazonOperations lists the operations in the order documentation shows
// them.
var AmazonOperations = []string{AmazonOperationCreate, AmazonOperationRead, AmazonOperationReconnect, AmazonOperationDestroy}

// amazonReadActions read the role and its policies. The account comes
// from sts:GetCallerIdentity, which every valid key may call whatever its
// policies say, so it is never listed.
var amazonReadActions = []string{
	"iam:GetRole",
	"iam:ListAttachedRolePolicies",
	"iam:ListRolePolicies",
	"iam:GetPolicy",
	"iam:GetPolicyVersion",
}

// amazonDestroyActions delete the role in the order AWS requires: detach
// the managed policies, delete inline policies, delete the policies'
// non-default versions, the policies, then the role. GetRole reads the
// role's tags first, which decide whether it may be deleted at all.
var amazonDestroyActions = []string{
	"iam:GetRole",
	"iam:ListAttachedRolePolicies",
	"iam:DetachRolePolicy",
	"iam:ListRolePolicies",
	"iam:DeleteRolePolicy",
	"iam:ListPolicyVersions",
	"iam:DeletePolicyVersion",
	"iam:DeletePolicy",
	"iam:DeleteRole",
}

// amazonWriteActions are what create and reconnect call beyond reading:
// the account summary and alias (the tenant's name), the role with its
// tags (CreateRole with tags needs TagRole), its trust policy and
// settings, the policies and their versions, attachments, and removing
// policies that were added outside Terraform.
var amazonWriteActions = []string{
	"iam:GetAccountSummary",
	"iam:ListAccountAliases",
	"iam:CreateRole",
	"iam:TagRole",
	"iam:UpdateAssumeRolePolicy",
	"iam:UpdateRole",
	"iam:CreatePolicy",
	"iam:ListPolicyVersions",
	"iam:CreatePolicyVersion",
	"iam:DeletePolicyVersion",
	"iam:SetDefaultPolicyVersion",
	"iam:AttachRolePolicy",
	"iam:DetachRolePolicy",
	"iam:DeleteRolePolicy",
}

// AmazonOperationActions returns the IAM actions an operation (one of
// AmazonOperations) calls, sorted; nil for an unknown operation. Create and
// reconnect need the same set: create may have to finish a create that
// failed half-way (which is a reconnect of the role it left) and must be
// able to roll itself back (destroy's actions), and reconnect creates the
// role again when it was deleted.
func AmazonOperationActions(operation string) []string {
	var parts [][]string
	switch operation {
	case AmazonOperationRead:
		parts = [][]string{amazonReadActions}
	case AmazonOperationDestroy:
		parts = [][]string{amazonDestroyActions}
	case AmazonOperationCreate, AmazonOperationReconnect:
		parts = [][]string{amazonReadActions, amazonWriteActions, amazonDestroyActions}
	default:
		return nil
	}
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AmazonConfiguringUserActions are the IAM actions the customer's IAM user
// (whose access key the provider uses) needs for every operation: the
// union of AmazonOperationActions, sorted. It includes
// AmazonDocumentedActions.
var AmazonConfiguringUserActions = amazonAllActions()

func amazonAllActions() []string {
	var out []string
	for _, op := range AmazonOperations {
		out = append(out, AmazonOperationActions(op)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// policyDocument and policyStatement give the documents a fixed key order so
// the JSON this package produces is byte-for-byte deterministic.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    any                          `json:"Action"`
	Resource  any                          `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func (d policyDocument) String() string {
	b, err := json.Marshal(d)
	if err != nil {
		// Every field is a string, a slice of strings or a map of strings,
		// which encoding/json always marshals.
		panic(fmt.Sprintf("domain: marshal policy document: %v", err))
	}
	return string(b)
}

// AmazonPolicies returns the managed policies the tenant role needs for the
// given permission set version (the service stores the current version; see
// PermissionSetFor). Versions below 1 are treated as 1. Every statement's
// Sid carries the version, so each version's documents differ and a
// reconnect after a bump always produces a new default policy version that
// shows which permission set the account holds.
func AmazonPolicies(version int) []PolicyDocument {
	if version < 1 {
		version = 1
	}
	sid := func(name string) string { return fmt.Sprintf("AOS%sV%d", name, version) }

	discovery := policyDocument{
		Version: iamPolicyVersion,
		Statement: []policyStatement{{
			// Discovery lists what can be protected: instances, volumes,
			// databases, tables and buckets, with their tags and regions.
			Sid:    sid("Discovery"),
			Effect: "Allow",
			Action: []string{
				"dynamodb:DescribeTable",
				"dynamodb:ListTables",
				"ec2:DescribeInstances",
				"ec2:DescribeRegions",
				"ec2:DescribeSnapshots",
				"ec2:DescribeTags",
				"ec2:DescribeVolumes",
				"iam:ListAccountAliases",
				"rds:DescribeDBClusters",
				"rds:DescribeDBInstances",
				"rds:ListTagsForResource",
				"s3:GetBucketLocation",
				"s3:GetBucketTagging",
				"s3:ListAllMyBuckets",
				"tag:GetResources",
			},
			Resource: "*",
		}},
	}

	backup := policyDocument{
		Version: iamPolicyVersion,
		Statement: []policyStatement{
			{
				// Backup reads object and table data; it never writes to or
				// deletes from the customer's buckets and tables.
				Sid:    sid("BackupRead"),
				Effect: "Allow",
				Action: []string{
					"dynamodb:DescribeContinuousBackups",
					"dynamodb:DescribeExport",
					"dynamodb:ExportTableToPointInTime",
					"ebs:GetSnapshotBlock",
					"ebs:ListSnapshotBlocks",
					"s3:GetObject",
					"s3:GetObjectTagging",
					"s3:GetObjectVersion",
					"s3:ListBucket",
					"s3:ListBucketVersions",
				},
				Resource: "*",
			},
			{
				// Volume backups start from a snapshot. The only tags the
				// role may write are those set while creating the snapshot.
				Sid:      sid("BackupSnapshot"),
				Effect:   "Allow",
				Action:   []string{"ec2:CreateSnapshot"},
				Resource: "*",
			},
			{
				Sid:      sid("BackupSnapshotTags"),
				Effect:   "Allow",
				Action:   []string{"ec2:CreateTags"},
				Resource: "*",
				Condition: map[string]map[string]string{
					"StringEquals": {"ec2:CreateAction": "CreateSnapshot"},
				},
			},
		},
	}

	return []PolicyDocument{
		{Name: AmazonDiscoveryPolicyName, Document: discovery.String()},
		{Name: AmazonBackupPolicyName, Document: backup.String()},
	}
}

// AmazonTrustPolicy returns the role's trust policy: only servicePrincipal
// may assume the role, and only when it presents externalID. The external ID
// is what keeps another customer of the service from pointing the service at
// this role (the "confused deputy" problem).
func AmazonTrustPolicy(servicePrincipal, externalID string) string {
	return policyDocument{
		Version: iamPolicyVersion,
		Statement: []policyStatement{{
			Sid:       "AOSTenantRegistration",
			Effect:    "Allow",
			Principal: map[string]string{"AWS": servicePrincipal},
			Action:    "sts:AssumeRole",
			Condition: map[string]map[string]string{
				"StringEquals": {"sts:ExternalId": externalID},
			},
		}},
	}.String()
}

// AmazonConfiguringUserPolicy returns the least-privilege identity policy for
// the IAM user whose access key configures the role. Resource is "*" because
// the customer chooses the role name and the account; the action list is the
// privilege boundary. Customers who want more may narrow Resource to their
// role ARN and the two policy ARNs.
func AmazonConfiguringUserPolicy() string {
	actions := slices.Clone(AmazonConfiguringUserActions)
	slices.Sort(actions)
	return policyDocument{
		Version: iamPolicyVersion,
		Statement: []policyStatement{{
			Sid:      "AOSTenantRegistrationConfigure",
			Effect:   "Allow",
			Action:   actions,
			Resource: "*",
		}},
	}.String()
}

// AmazonPartition returns the AWS partition of an Amazon environment
// (commercial, gov, china). Unknown environments get the commercial one.
func AmazonPartition(environment string) string {
	switch environment {
	case "gov":
		return "aws-us-gov"
	case "china":
		return "aws-cn"
	default:
		return "aws"
	}
}

// AmazonRegion returns the region whose endpoints serve IAM and STS for an
// Amazon environment. IAM is global within a partition, but requests are
// still signed for a region of that partition.
func AmazonRegion(environment string) string {
	switch environment {
	case "gov":
		return "us-gov-west-1"
	case "china":
		return "cn-north-1"
	default:
		return "us-east-1"
	}
}
