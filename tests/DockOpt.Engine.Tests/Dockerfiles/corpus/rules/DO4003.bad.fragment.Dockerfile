RUN ./fetch-sources.sh
RUN ./build-all.sh
