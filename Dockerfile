# A small certsmith image: built with the Rust toolchain, run on distroless (glibc, no
# shell, no package manager) as a non-root user. See docs/docker-compose.md.
#
#   docker build -t certsmith:latest .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/certs:/srv/certsmith/certs" certsmith:latest gen --if-needed

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# aws-lc-sys builds its C code with the cc crate: gcc (in the image) and make are enough.
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
COPY . .
# The release binary as it ships: statically linked (dist/build.sh says why).
RUN install -D -m 0755 "$(dist/build.sh)" /out/certsmith

# glibc's NSS modules beyond files and DNS are loaded at run time; this image has the
# same glibc (Debian 12) as the build image.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/certsmith /usr/local/bin/certsmith
WORKDIR /srv/certsmith
USER nonroot
ENTRYPOINT ["/usr/local/bin/certsmith"]
CMD ["--help"]
