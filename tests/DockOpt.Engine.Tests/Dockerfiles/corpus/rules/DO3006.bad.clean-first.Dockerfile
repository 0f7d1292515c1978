FROM fedora:40
# the clean runs before the install, so the install's cache stays
RUN dnf clean all && dnf install -y make-4.4.1
