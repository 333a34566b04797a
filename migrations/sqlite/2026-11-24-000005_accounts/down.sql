DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE tenant_oidc;
DROP TABLE email_tokens;
DROP TABLE signups;
