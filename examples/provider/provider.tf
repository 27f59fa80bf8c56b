# Credentials come from AOS_ENDPOINT, AOS_CLIENT_ID and AOS_CLIENT_SECRET
# (aosd dev prints them and writes them to an env file).
provider "aos" {}

# Or explicitly, with the secret from a variable:
# provider "aos" {
#   endpoint      = "https://aos.example.com"
#   client_id     = "aos-0123456789abcdef"
#   client_secret = var.aos_client_secret
#
#   # How long a request is retried while the service is unreachable or
#   # answers 429/5xx (default 2m).
#   retry_timeout = "5m"
# }
