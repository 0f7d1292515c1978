# a snippet without FROM is linted like the body of a stage
RUN sudo make install
