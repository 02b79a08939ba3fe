//! What the client learns about each registry host and keeps for the next request: the scheme
//! the `/v2/` ping found, the auth challenge, and the token cache. Plain data below the client,
//! the send and the token requests, which all read or update it.

use std::collections::BTreeSet;
use std::time::Instant;

use super::bearer::{Challenge, Token};

/// What the client learnt about one registry host.
#[derive(Default)]
pub(super) struct HostState {
    /// `http` or `https`, once known.
    pub(super) scheme: Option<&'static str>,
    /// The challenge from the `/v2/` ping (None: no auth needed).
    pub(super) challenge: Option<Challenge>,
    /// Tokens granted, newest last.
    tokens: Vec<Token>,
}

impl HostState {
    /// The newest cached token that covers `scopes` at `now` and was granted to `account`
    /// (`None`: anonymous), if any.
    pub(super) fn cached_token(
        &self,
        scopes: &BTreeSet<String>,
        account: &Option<String>,
        now: Instant,
    ) -> Option<&Token> {
        self.tokens
            .iter()
            .rev()
            .find(|t| t.covers(scopes, now) && t.account == *account)
    }

    /// Caches `token` as the newest, dropping the tokens due for renewal at `now`.
    pub(super) fn keep_token(&mut self, token: Token, now: Instant) {
        self.tokens.retain(|t| t.renew_at > now);
        self.tokens.push(token);
    }

    /// Forgets every cached token (the registry refused one, or asked for a new challenge).
    pub(super) fn forget_tokens(&mut self) {
        self.tokens.clear();
    }
}
