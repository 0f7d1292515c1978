# Written for DockOpt's ShellCheck agreement test: variables read and assigned (SC2153, SC2154) in the forms Dockerfiles use.
FROM debian:bookworm-slim
ARG BUILD_VERSION=1
ENV GOPATH=/go CARGO_HOME=/cargo app_dir=/app
RUN echo "$BUILD_VERSON" "$GOPATHS" "$CARGO_HOM" "$APP_DIR"
RUN for ITEMS in a b; do echo "$ITEM"; done
RUN read -r LINES_X < /etc/hostname; echo "$LINES_Y"
RUN export TARGET_DIR=/x && echo "${TARGET_DIRS:-y}" "$TARGET_DIRS"
RUN echo "$TARGET_DIRS" "${TARGET_DIRS:-y}"; TARGET_DIR=1
RUN echo $((COUNTER + 1)); COUNTERS=2; echo "$COUNTERS"
RUN echo "${#NAMESPACE}" "${NAMESPAC%x}"; NAMESPACES=1; echo "$NAMESPACES"
RUN f() { local MYVAR=1; echo "$MYVAR"; }; echo "$MYVAL"
RUN : "${OUT_DIR:=/out}"; echo "$OUT_DIRS"
RUN ABCDE=1 make; echo "$ABCD"
RUN echo "$Gopath" "$GoPath" "$GOPATH_"
RUN cat <<EOF > /x
$GOPAT
EOF
RUN echo "$(echo "$CARGO_HOMES")" `echo $CARGO_HOMEE`
RUN case "$BUILD_VERSIONS" in 1) echo "$BUILD_VERSION";; esac
RUN [ -n "$HOSTNAMES" ] && HOSTNAMES=1 && echo "$HOSTNAME" "$USERS" "$PATHS"
RUN SRC_DIR=/src; cd "$SRCDIR" || exit; echo "${SRC_DIR}"
RUN x=1; echo "${X}" "$x"
RUN DEBIAN_FRONTEND=noninteractive apt-get install -y curl && echo "$DEBIAN_FRONTEN"
ONBUILD RUN echo "$BUILD_VERSION" "$app_dir" "$GOPATHS"
