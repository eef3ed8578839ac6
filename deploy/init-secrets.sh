#!/usr/bin/env bash
# Create the deployment's secrets once: deploy/secrets/postgres_password (a compose secret) and
# deploy/brief.env (from brief.env.example: the same password inside BRIEF_STATE_URL, a new API
# token). Never overwrites: delete a file to renew it (a new database password also needs a new
# postgres-data volume). Neither file is committed (.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
random() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
mkdir -p secrets
chmod 700 secrets
if [ ! -s secrets/postgres_password ]; then
    random > secrets/postgres_password
    # Read inside the postgres container by its own user: the folder above keeps others out.
    chmod 644 secrets/postgres_password
    echo "wrote deploy/secrets/postgres_password"
fi
if [ ! -s brief.env ]; then
    password=$(cat secrets/postgres_password)
    (umask 077 && sed -e "s/@POSTGRES_PASSWORD@/$password/" -e "s/@API_TOKEN@/$(random)/" \
        brief.env.example > brief.env)
    echo "wrote deploy/brief.env"
fi
