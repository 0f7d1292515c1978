FROM fedora:40
RUN dnf -y upgrade-minimal
