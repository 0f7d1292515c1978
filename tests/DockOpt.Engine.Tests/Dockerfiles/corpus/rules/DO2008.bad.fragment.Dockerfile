CMD ["nginx"]
CMD ["nginx", "-g", "daemon off;"]
