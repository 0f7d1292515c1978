# Written for DockOpt's ShellCheck agreement test: one or more RUNs per implemented SC code, good and bad.
FROM debian:bookworm-slim
ARG VERSION=1.2.3
ENV APP_HOME=/srv/app
RUN echo $VERSION $APP_HOME && apt-get install -y $PKGS
RUN rm -f $(ls /tmp) `ls /var/tmp` && x="$(date)" && echo "$x"
RUN cd /tmp; make install
RUN cd /tmp && make && cd ..
RUN cd /opt; make; cd ..
RUN cat /etc/os-release | grep ID && cat a b | sort
RUN rm *.log && rm -- *.tmp && cp ./*.conf /etc/
RUN echo '$HOME' && sed -e 's/${x}/y/' f && sh -c 'echo $HOME' && awk '{print $1}' f
RUN make && make install || echo failed
RUN true && make || rm -rf build
RUN echo $foo ${bar:-x} ${baz}
RUN make; if [ $? -ne 0 ]; then exit 1; fi
RUN ln -s /usr/bin/python3 && ln -sf /usr/bin/python3 /usr/bin/python
RUN . /etc/os-release && source /etc/profile
RUN [[ -f /etc/passwd ]] && echo {a,b} && arr=(1 2) && [ "$VERSION" == 1 ]
RUN function f { echo; } && function g() { echo; }
RUN for f in a b; do echo $f; done
RUN n=1; echo $n; m="a b"; echo $m
RUN set -e; cd /usr/src; ./configure
RUN if cd /x; then ls; fi
RUN chmod +x *.sh; tar czf a.tgz *
# hadolint ignore=SC2086
RUN echo $APP_HOME
# shellcheck disable=SC2046
RUN rm $(ls)
RUN x=`date` && echo "$x" && echo "`id -u`"
RUN unused=1; used=2; echo "$used"; for i in 1 2; do echo hi; done; read -r line < /etc/hostname; _skip=1; IFS=:; export PATH
RUN read name < /etc/hostname && echo "$name" && while IFS= read -r l; do echo "$l"; done < /etc/passwd
RUN read -p "name? " answer; echo "$answer"; read -rp "again? " again; echo "$again"
RUN . "$ENV_FILE" && . ~/.profile && . "$HOME/.profile" && . "$ENV_DIR/env.sh"
RUN echo -n x && echo -e 'a\tb' && echo -- x && echo "-n" && printf '%s' x
RUN f() { local v=1; echo "$v"; } && f && n=$((1 + 2)) && echo "$n"
RUN echo "seed $RANDOM" $UID $PPID "$HOSTNAME"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo -e 'a\tb' && g() { local w=1; echo "$w"; } && g
RUN [[ -f x ]] && echo {a,b} | cat
RUN ["sh", "-c", "echo $HOME && cd /x"]
RUN echo "$APP_HOEM" "$VERSON" "${APP_HOMES:-none}" "$HOME" "$RTTP_PROXY" && PKGS=curl && echo "$PKG $PKGS" && echo "${#VERSONS}" $((COUNTS + 1))
