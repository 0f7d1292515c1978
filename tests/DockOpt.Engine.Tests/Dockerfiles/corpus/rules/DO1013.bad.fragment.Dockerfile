RUN echo no stage here
