// Package testmoto runs moto (python3 -m moto.server) as the AWS IAM and STS
// endpoint of tests, and provides the RoundTrippers that make up for what
// moto does not do.
//
// Start starts one moto server per test process, on a free loopback port,
// the first time a test asks for it; StartWithAuth starts a second, separate
// one that checks signatures and IAM permissions. Neither touches global
// state of the test process (no environment variables, no default
// transports). Call Main from TestMain so the servers stop after the run;
// on Linux they also die with the test process. moto keeps its state in
// the server, so tests that share a server must not run in parallel and
// should Reset it first. When python3 cannot import moto, tests skip with
// the reason, or fail when AOS_REQUIRE_MOTO=1.
//
// # Where moto 5.2 differs from AWS, and how the code guards against it
//
// Each difference below is pinned by a test in this package, so a moto
// upgrade that removes one shows up as a failure and this list gets updated.
//
//   - DeletePolicy succeeds while the policy is attached or still has
//     non-default versions, and leaves the role listing a dangling
//     attachment; AWS answers DeleteConflict. internal/iam deletes in AWS's
//     order regardless (detach, delete non-default versions, delete the
//     policy, delete the role) and its tests check that ListRoles and
//     ListPolicies come back empty, which a wrong order would not show on
//     moto alone.
//   - CreateRole accepts a malformed trust policy; AWS answers
//     MalformedPolicyDocument. internal/iam validates every document
//     (Spec.Validate) before its first call. UpdateAssumeRolePolicy and
//     CreatePolicy do check the syntax.
//   - UpdateRole resets an omitted Description to none and an omitted
//     MaxSessionDuration to 3600; AWS leaves omitted fields as they are.
//     internal/iam always sends both, the unchanged one with its current
//     value.
//   - AssumeRole without an ExternalId satisfies a StringEquals
//     sts:ExternalId condition; AWS denies it. internal/awsverify always
//     sends the tenant's external ID and refuses to verify without one.
//   - AssumeRole of a role that does not exist succeeds, and without
//     permission checks every AssumeRole succeeds whatever the trust policy
//     says; AWS denies both. Tests that need a refusal use the server with
//     permission checks and an existing role whose trust policy does not
//     admit the caller.
//   - A trust policy principal is compared literally with the caller's ARN,
//     so an account root ARN (arn:aws:iam::ID:root) does not admit that
//     account's users as it does on AWS. Tests name the calling user's ARN
//     as the service principal.
//   - Permission checks evaluate actions without a RoleName parameter
//     against Resource "*", and only StringEquals conditions. The
//     configuring user policy (domain.AmazonConfiguringUserPolicy) grants
//     its actions on "*", which behaves the same on both.
//   - AccessDenied, InvalidClientTokenId and SignatureDoesNotMatch come
//     wrapped as <ErrorResponse><Errors><Error>, which aws-sdk-go-v2 cannot
//     parse (it reports "UnknownError", status 403). RewriteErrors turns
//     them into AWS's <ErrorResponse><Error> so the code under test sees the
//     real error codes; every client this package builds uses it.
//   - Without permission checks, signatures are not checked: any access key
//     works. Wrong-key tests run against the server with permission checks.
//   - GetPolicyVersion returns the document as plain JSON; AWS URL-encodes
//     it (GetRole's trust policy is URL-encoded by both). internal/iam
//     decodes a document only when it does not already start with "{".
//   - As on AWS, permission checks come before the named entity is looked
//     up: a call on a role or policy that does not exist answers
//     AccessDenied without the permission and NoSuchEntity with it.
//     internal/iam's CheckPermissions relies on this (it is no
//     difference, but the tests of that check mean something only while
//     it holds).
//   - There is no throttling and no propagation delay: every change is
//     visible at once. Throttle injects AWS's Throttling error and
//     InjectError any other error (NoSuchEntity for an unpropagated policy)
//     for the first N calls of an action, so retries and waits are tested.
package testmoto
