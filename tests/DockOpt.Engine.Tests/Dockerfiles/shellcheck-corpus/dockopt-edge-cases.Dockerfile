# Written for DockOpt's ShellCheck agreement test: harder shell forms seen in Dockerfiles.
FROM alpine:3.20
ARG TARGETARCH
ENV GOPATH=/go PATH=/go/bin:$PATH
RUN case "$TARGETARCH" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; *) echo "unsupported: $TARGETARCH"; exit 1 ;; esac; wget -O /tmp/x.tgz https://example.com/x-$arch.tgz
RUN for p in $(cat /tmp/list); do apk add $p; done
RUN while read -r line; do echo $line; done < /etc/hosts
RUN export CFLAGS="-O2 $EXTRA" && make -j$(nproc) CFLAGS=$CFLAGS
RUN test -n "$HOME" && cd $HOME && ls | grep -v '^\.' > /tmp/ls.txt
RUN if [ "$(id -u)" = 0 ]; then echo root; elif [ -z $USER ]; then echo none; else echo $USER; fi
RUN { echo a; echo b; } > /tmp/ab && (cd /tmp && cat ab | wc -l)
RUN f() { echo "$1"; }; f one && f $1
RUN echo "${GOPATH}/bin:${PATH}" && echo ${GOPATH:-/go}/src ${#PATH} $((1 + 2)) $$
RUN mkdir -p ~/.ssh && chmod 700 ~/.ssh && echo "$(date +%s)" > /tmp/ts && echo `date`
RUN grep -q foo /etc/x || { echo 'missing $foo'; exit 1; }
RUN find / -name '*.pyc' -delete && rm -rf /tmp/* /var/cache/apk/*
RUN ls -la *.txt 2>/dev/null || true
RUN ver=$(cat VERSION) && echo $ver && echo ${ver%%.*}
RUN [ -d /opt ] && [ ! -L /opt ] || mkdir /opt
RUN cat <<'EOT' > /etc/motd
hello $USER
EOT
RUN apk add --no-cache bash && bash -c 'echo ${BASH_VERSION}'
RUN cd /usr/src/app && npm ci && npm run build; cd ..
RUN echo $((RANDOM % 10)) && echo "${name:?missing}"
RUN printf '%s\n' "$PATH" | tr ':' '\n' | xargs -I{} sh -c 'ls {}'
RUN a=1 b=2; echo $a $b; c=$a$b; echo $c
RUN trap 'rm -f $tmp' EXIT; tmp=$(mktemp); echo $tmp
RUN tar -xzf /tmp/x.tgz -C /usr/local --strip-components=1 && rm /tmp/x.tgz && ln -s /usr/local/bin/x
RUN source ./env.sh; . "$HOME/.profile"
