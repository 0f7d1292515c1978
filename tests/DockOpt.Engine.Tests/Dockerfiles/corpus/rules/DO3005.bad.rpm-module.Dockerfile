FROM rockylinux:9
RUN dnf module install -y nodejs && dnf clean all
