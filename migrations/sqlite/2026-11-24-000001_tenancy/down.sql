DROP TABLE indicators;
DROP TABLE outcomes;
DROP TABLE users;
DROP TABLE tenants;
