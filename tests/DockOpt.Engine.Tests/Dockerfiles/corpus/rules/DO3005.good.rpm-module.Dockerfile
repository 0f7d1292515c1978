FROM rockylinux:9
RUN dnf module install -y nodejs:20 && dnf clean all
RUN dnf group install -y "Development Tools" && dnf clean all
