FROM fedora:40
# microdnf clean does not clean the cache dnf filled
RUN dnf install -y make-4.4.1 && microdnf clean all
