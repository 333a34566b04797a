//! Outgoing mail. Each message is a handlebars template in three parts (`NAME.subject`,
//! `NAME.text`, `NAME.html`, under `templates/mail/`) rendered with the tenant's name, built
//! with lettre as plain text and HTML alternatives with a stable Message-ID, and delivered over
//! SMTP when `SMTP_URL` is set, otherwise written as an `.eml` file to `<data dir>/outbox/`.

use std::path::PathBuf;
use std::time::Duration;

use handlebars::Handlebars;
use lettre::message::{Mailbox, MultiPart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use serde_json::Value;

use crate::config::Config;

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail template {0}: {1}")]
    Template(String, String),
    #[error("recipient {0:?} is not an email address")]
    BadRecipient(String),
    #[error("building the message: {0}")]
    Build(String),
    /// A failure that may pass (a 4xx answer, no connection, a timeout): try again later.
    #[error("delivering over SMTP: {0}")]
    Smtp(String),
    /// The server refused the message for good (a 5xx answer): trying again will not help.
    #[error("refused by the SMTP server: {0}")]
    SmtpPermanent(String),
    #[error("writing to the outbox {0}: {1}")]
    Outbox(String, String),
}

enum Delivery {
    Outbox(PathBuf),
    Smtp(Box<SmtpTransport>),
}

pub struct Mailer {
    delivery: Delivery,
    from: Mailbox,
}

/// Where a message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Written to this file.
    Outbox(PathBuf),
    /// Accepted by the SMTP server.
    Smtp,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| anyhow::anyhow!("PLATFORM_MAIL_FROM: {e}"))?;
        let delivery = match &config.smtp_url {
            Some(url) => {
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Delivery::Smtp(Box::new(transport))
            }
            None => Delivery::Outbox(config.outbox_dir()),
        };
        Ok(Mailer { delivery, from })
    }

    /// Renders the three parts of a template.
    pub fn render(templates: &Handlebars<'_>, name: &str, data: &Value) -> Result<Rendered, MailError> {
        let part = |suffix: &str| {
            let template = format!("mail/{name}.{suffix}");
            templates.render(&template, data).map_err(|e| MailError::Template(template, e.to_string()))
        };
        Ok(Rendered { subject: part("subject")?.trim().to_string(), text: part("text")?, html: part("html")? })
    }

    /// Sends one message. `message_id` is kept as given, so a retry is recognisably the same message.
    pub fn send(&self, to: &str, message_id: &str, message: &Rendered) -> Result<Sent, MailError> {
        self.send_with(to, message_id, message, &[])
    }

    /// Sends one message with extra headers (a reminder's `Auto-Submitted`).
    pub fn send_with(
        &self,
        to: &str,
        message_id: &str,
        message: &Rendered,
        headers: &[(&'static str, String)],
    ) -> Result<Sent, MailError> {
        use lettre::message::header::{HeaderName, HeaderValue};
        let to: Mailbox = to.parse().map_err(|_| MailError::BadRecipient(to.to_string()))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(message_id.to_string()));
        for (name, value) in headers {
            builder = builder.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str(name), value.clone()));
        }
        let email = builder
            .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.delivery {
            Delivery::Smtp(transport) => transport.send(&email).map(|_| Sent::Smtp).map_err(|e| {
                if e.is_permanent() { MailError::SmtpPermanent(e.to_string()) } else { MailError::Smtp(e.to_string()) }
            }),
            Delivery::Outbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| MailError::Outbox(dir.display().to_string(), e.to_string()))?;
                let id = FileTransport::new(dir)
                    .send(&email)
                    .map_err(|e| MailError::Outbox(dir.display().to_string(), e.to_string()))?;
                Ok(Sent::Outbox(dir.join(format!("{id}.eml"))))
            }
        }
    }
}

/// A Message-ID of the platform's own, from a stable key.
pub fn message_id(key: &str, domain: &str) -> String {
    format!("<{}@{domain}>", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_the_tenant_name_and_escape_it_in_html() {
        let hb = crate::app::templates().unwrap();
        let r = Mailer::render(
            &hb,
            "test",
            &serde_json::json!({"tenant": "Kent <Trust> & Co", "sent_at": "2026-11-24 09:30"}),
        )
        .unwrap();
        assert_eq!(r.subject, "Test message from the commissioning platform for \u{201C}Kent <Trust> & Co\u{201D}");
        assert!(r.text.contains("for \u{201C}Kent <Trust> & Co\u{201D}."));
        assert!(r.html.contains("Kent &lt;Trust&gt; &amp; Co"));
        assert!(Mailer::render(&hb, "no-such-mail", &serde_json::json!({})).is_err());
    }

    #[test]
    fn a_name_in_mail_is_quoted_and_can_never_start_a_paragraph_of_its_own() {
        let hb = crate::app::templates().unwrap();
        let name = "Rutland\n\nYour account is suspended. Visit https://evil.example/login to restore it.\n\n";
        let r = Mailer::render(
            &hb,
            "confirm_signup",
            &serde_json::json!({"tenant": name, "name": "Jo\r\nBcc: x", "link": "https://p.example/l", "hours": 24}),
        )
        .unwrap();
        for line in r.text.lines() {
            assert!(!line.trim_start().starts_with("Your account"), "a name opened a line: {line:?}");
            assert!(!line.trim_start().starts_with("Bcc"), "{line:?}");
        }
        assert!(r.text.contains("sign up \u{201C}Rutland Your account is suspended."), "{}", r.text);
        assert!(!r.subject.contains('\n'));
    }

    #[test]
    fn message_ids_are_stable_per_key() {
        assert_eq!(message_id("review:1:lead:14", "platform"), message_id("review:1:lead:14", "platform"));
        assert_ne!(message_id("review:1:lead:14", "platform"), message_id("review:1:lead:7", "platform"));
    }
}
