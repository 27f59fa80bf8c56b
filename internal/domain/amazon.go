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

// AmazonConfiguringUserActions are the IAM actions the customer's IAM user
// (whose access key the provider uses) needs. The first twelve are the ones
// the product documentation lists for connect and reconnect; the rest are
// what refresh (read back the role and policies), import and destroy need.
// sts:GetCallerIdentity is not listed: AWS answers it for every valid key,
// whatever the policies say.
var AmazonConfiguringUserActions = []string{
	// Connect and reconnect, as documented.
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
	// CreateRole with tags needs TagRole as well.
	"iam:TagRole",
	// Refresh and import read the attachments and the default documents.
	"iam:ListAttachedRolePolicies",
	"iam:GetPolicy",
	"iam:GetPolicyVersion",
	// Destroy, and the rollback of a failed connect.
	"iam:DetachRolePolicy",
	"iam:DeletePolicy",
	"iam:DeleteRole",
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
