#!/usr/bin/env bash
# Lints the images' Dockerfiles (silo/Dockerfile, api/Dockerfile) without a container engine,
# run by ./test.sh like scripts/validate-k8s.sh. What it refuses, and why:
#   - a FROM not pinned by a full version tag AND a sha256 digest, or tagged `latest`: the same
#     source must build the same image, and a moved tag must not change production silently;
#   - a base image that is not one of Microsoft's Ubuntu (noble) .NET 10 images;
#   - a final stage without WORKDIR, without USER, or with USER root/0: the process must run
#     as the unprivileged user the Kubernetes manifests expect (1654), from the folder that holds
#     appsettings.json;
#   - apt-get install without -y or --no-install-recommends, or an apt cache left in the layer;
#   - ADD (remote URLs, unpacked archives): COPY says exactly what enters the image;
#   - a shell-form ENTRYPOINT/CMD (signals would go to a shell, not to .NET: no graceful stop);
#   - a published project whose referenced projects (transitively) are not copied in;
#   - a .dockerignore that lets local secrets, databases or build output into the context.
# Usage: scripts/lint-dockerfiles.sh [Dockerfile…] (default: every Dockerfile in the repository)
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."

failures=0
fail() {
    printf 'docker-lint: %s\n' "$*" >&2
    failures=$((failures + 1))
}

# Every ProjectReference of a project, transitively, as repository-relative directories.
project_closure() {
    local project=$1 dir ref
    dir=$(dirname "$project")
    printf '%s\n' "$dir"
    sed -n -E 's/.*<ProjectReference Include="([^"]+)".*/\1/p' "$project" | tr '\\' '/' | while read -r ref; do
        project_closure "$(realpath --relative-to=. "$dir/$ref")"
    done
}

lint() {
    local file=$1 line instruction args stages="" final_user="" final_workdir="" n=0
    local saw_from=0 published="" in_final
    # Join continuation lines, drop comments and blank lines.
    local text
    text=$(sed -e 's/\r$//' "$file" | sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' | grep -v -E '^[[:space:]]*(#|$)' || true)
    while IFS= read -r line; do
        n=$((n + 1))
        instruction=$(printf '%s' "$line" | awk '{print toupper($1)}')
        args=$(printf '%s' "$line" | sed -E 's/^[[:space:]]*[A-Za-z]+[[:space:]]+//')
        case "$instruction" in
            FROM)
                saw_from=1
                final_user=""
                final_workdir=""
                local image alias
                image=$(printf '%s' "$args" | sed -E 's/--platform=[^ ]+ +//' | awk '{print $1}')
                alias=$(printf '%s' "$args" | sed -n -E 's/.* [Aa][Ss] +([A-Za-z0-9_.-]+).*/\1/p')
                if printf '%s\n' $stages | grep -qx -- "$image"; then
                    :   # an earlier stage of this file
                elif ! printf '%s' "$image" | grep -qE '^[^:@ ]+:[^:@ ]+@sha256:[0-9a-f]{64}$'; then
                    fail "$file: FROM $image is not pinned by tag and sha256 digest"
                else
                    local tag=${image#*:}
                    tag=${tag%@*}
                    [ "$tag" = latest ] && fail "$file: FROM $image uses the tag latest"
                    printf '%s' "$tag" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+-' \
                        || fail "$file: FROM $image: the tag must be a full version (e.g. 10.0.12-noble), not a floating one"
                    printf '%s' "$image" | grep -qE '^mcr\.microsoft\.com/dotnet/(sdk|aspnet|runtime|runtime-deps):10\.[0-9.]+-noble@' \
                        || fail "$file: FROM $image is not one of Microsoft's Ubuntu (noble) .NET 10 images"
                fi
                [ -n "$alias" ] && stages="$stages $alias"
                ;;
            USER) final_user=$args ;;
            WORKDIR) final_workdir=$args ;;
            ADD) fail "$file: ADD $args: use COPY (no remote URLs, no implicit unpacking)" ;;
            ENTRYPOINT | CMD)
                printf '%s' "$args" | grep -qE '^\[' || fail "$file: $instruction $args: use the exec form [\"…\"] so that SIGTERM reaches .NET"
                ;;
            RUN)
                if printf '%s' "$args" | grep -qE 'apt-get +install'; then
                    printf '%s' "$args" | grep -qE 'apt-get +install[^&;]*--no-install-recommends' \
                        || fail "$file: apt-get install without --no-install-recommends"
                    printf '%s' "$args" | grep -qE 'apt-get +install[^&;]* (-y|--yes)( |$)' \
                        || fail "$file: apt-get install without -y"
                    printf '%s' "$args" | grep -q 'rm -rf /var/lib/apt/lists' \
                        || fail "$file: apt-get install leaves /var/lib/apt/lists in the layer"
                fi
                printf '%s' "$args" | grep -qE '(^|[ ;&])sudo ' && fail "$file: RUN uses sudo"
                printf '%s' "$args" | grep -qE '(curl|wget)[^|]*\| *(ba)?sh' && fail "$file: RUN pipes a download into a shell"
                local project
                project=$(printf '%s' "$args" | sed -n -E 's/.*dotnet +publish +([^ ]+\.csproj).*/\1/p')
                [ -n "$project" ] && published=$project
                ;;
        esac
    done <<<"$text"

    [ "$saw_from" = 1 ] || fail "$file: no FROM"
    in_final=$final_user
    if [ -z "$in_final" ]; then
        fail "$file: the final stage sets no USER (it would run as root)"
    else
        local uid=${in_final%%:*}
        case "$uid" in
            root | 0) fail "$file: the final stage runs as $in_final" ;;
            *[!0-9]*) fail "$file: USER $in_final: use a numeric uid, so that runAsNonRoot can verify it" ;;
        esac
    fi
    [ -n "$final_workdir" ] || fail "$file: the final stage sets no WORKDIR (where appsettings.json lives)"

    if [ -z "$published" ]; then
        fail "$file: no 'dotnet publish <project>.csproj'"
    elif [ ! -f "$published" ]; then
        fail "$file: publishes $published, which does not exist"
    else
        local dir
        while read -r dir; do
            grep -qE "^COPY +$dir/ +$dir/ *$" "$file" \
                || fail "$file: $published needs $dir/, which is not copied into the build stage"
        done < <(project_closure "$published" | sort -u)
        # Files a project pulls from outside its directory (the silo's SQL scripts).
        local outside
        for outside in $(grep -v ProjectReference "$published" | sed -n -E 's/.*Include="\.\.\\([^\\"]+)\\.*/\1/p' | sort -u); do
            grep -qE "^COPY +$outside/ +$outside/ *$" "$file" \
                || fail "$file: $published includes files from $outside/, which is not copied into the build stage"
        done
    fi
}

if [ "$#" -gt 0 ]; then
    dockerfiles=("$@")
else
    mapfile -t dockerfiles < <(find . -name Dockerfile -not -path './.test-data/*' -not -path '*/bin/*' -not -path '*/obj/*' | sed 's|^\./||' | sort)
fi
[ "${#dockerfiles[@]}" -gt 0 ] || fail "no Dockerfile found"
for dockerfile in "${dockerfiles[@]}"; do
    lint "$dockerfile"
done

if [ ! -f .dockerignore ]; then
    fail ".dockerignore is missing: the build context would carry .data/ (secrets, database) into the build"
else
    for pattern in '.data/' '.test-data/' '**/bin/' '**/obj/' '**/secrets.json' '.git/'; do
        grep -qxF -- "$pattern" .dockerignore || fail ".dockerignore does not exclude $pattern"
    done
fi

if [ "$failures" -gt 0 ]; then
    exit 1
fi
printf 'docker-lint: %d Dockerfile(s) pinned, non-root, WORKDIR set; .dockerignore excludes secrets and build output\n' "${#dockerfiles[@]}"
