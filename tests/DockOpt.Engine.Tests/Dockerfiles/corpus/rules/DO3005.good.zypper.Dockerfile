FROM opensuse/leap:15.6
RUN zypper install -y nginx=1.21.5 "tomcat>=9.0" && zypper clean
