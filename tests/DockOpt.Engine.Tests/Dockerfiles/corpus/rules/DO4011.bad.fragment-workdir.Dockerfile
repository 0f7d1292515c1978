# outside a stage the WORKDIR before the RUN still counts
COPY site.tar /opt/app
WORKDIR /opt/app
RUN tar -xf site.tar
