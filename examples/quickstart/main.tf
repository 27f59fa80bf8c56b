# Quickstart: connect a Microsoft 365 tenant, give it app profiles and a
# service account, and create a migration connection that uses them.
#
# Against `aosd dev --auto-consent` (what `make demo` runs) every consent
# completes at once. Against a real service, an administrator opens each
# consent_url and wait_for_consent holds apply until they have.

terraform {
  required_version = ">= 1.11"
  required_providers {
    aos = {
      source = "aos-dev/aos"
    }
  }
}

provider "aos" {}

variable "tenant_domain" {
  description = "Original domain of the Microsoft 365 tenant to connect."
  type        = string
  default     = "contoso.onmicrosoft.com"
}

variable "service_account_username" {
  description = "Microsoft 365 account used by the service account profile."
  type        = string
  default     = "svc.backup@contoso.onmicrosoft.com"
}

variable "service_account_password" {
  description = "Password of the service account (never stored in state)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "aos_microsoft_tenant" "contoso" {
  domain           = var.tenant_domain
  wait_for_consent = true
}

resource "aos_app_profile" "backup" {
  name             = "Microsoft 365 (all permissions)"
  tenant_id        = aos_microsoft_tenant.contoso.id
  type             = "microsoft_365"
  wait_for_consent = true
}

resource "aos_app_profile" "delegated" {
  name             = "Delegated app for Teams and Planner"
  tenant_id        = aos_microsoft_tenant.contoso.id
  type             = "delegated_app"
  functions        = ["restore_teams_conversations_as_posts", "restore_planner_task_comments"]
  wait_for_consent = true
}

resource "aos_service_account_profile" "migration" {
  name                = "Migration service account"
  description         = "Used by Fly for Microsoft 365 Groups migrations"
  tenant_id           = aos_microsoft_tenant.contoso.id
  services            = ["fly"]
  username            = var.service_account_username
  password_wo         = var.service_account_password
  password_wo_version = 1
}

data "aos_containers" "groups" {
  tenant_id = aos_microsoft_tenant.contoso.id
  search    = "Groups"
}

resource "aos_migration_connection" "groups" {
  name         = "Contoso Groups"
  type         = "microsoft_365_groups"
  tenant_id    = aos_microsoft_tenant.contoso.id
  container_id = data.aos_containers.groups.containers[0].id

  app_profile {
    id = aos_app_profile.backup.id
  }

  service_account_authentication = "legacy"
  service_account_ids            = [aos_service_account_profile.migration.id]
}

output "tenant" {
  value = {
    id                          = aos_microsoft_tenant.contoso.id
    name                        = aos_microsoft_tenant.contoso.name
    status                      = aos_microsoft_tenant.contoso.status
    sharepoint_admin_center_url = aos_microsoft_tenant.contoso.sharepoint_admin_center_url
  }
}

output "app_profiles" {
  value = {
    for p in [aos_app_profile.backup, aos_app_profile.delegated] : p.name => {
      id              = p.id
      status          = p.status
      permission_kind = p.permission_kind
    }
  }
}

output "service_account" {
  value = {
    id        = aos_service_account_profile.migration.id
    status    = aos_service_account_profile.migration.status
    user_role = aos_service_account_profile.migration.user_role
  }
}

output "migration_connection_id" {
  value = aos_migration_connection.groups.id
}
