// The diesel schema of the common data core. `tests/e2e/schema_check.rs` checks it against the
// migrated databases of both backends, so a migration that drifts from it fails the tests.

diesel::table! {
    audit_log (id) {
        id -> Text,
        tenant_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity_kind -> Text,
        entity_id -> Nullable<Text>,
        detail -> Text,
        ip -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    commissioning_projects (id) {
        id -> Text,
        tenant_id -> Text,
        title -> Text,
        description -> Text,
        level -> Nullable<Text>,
        stage -> Text,
        priority_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        owner_user_id -> Nullable<Text>,
        started_on -> Date,
        created_at -> Timestamp,
        attributes -> Text,
        version -> Integer,
        body -> Nullable<Text>,
        contract_id -> Nullable<Text>,
    }
}

diesel::table! {
    contract_contributions (id) {
        id -> Text,
        tenant_id -> Text,
        contract_id -> Text,
        partner -> Text,
        partner_kind -> Text,
        amount_pence -> BigInt,
    }
}

diesel::table! {
    contract_events (id) {
        id -> Text,
        tenant_id -> Text,
        contract_id -> Text,
        kind -> Text,
        effective_on -> Date,
        reason -> Text,
        changes -> Text,
        recorded_by_user_id -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    contract_kpis (id) {
        id -> Text,
        tenant_id -> Text,
        contract_id -> Text,
        code -> Text,
        title -> Text,
        unit -> Text,
        target -> Double,
        polarity -> Text,
        frequency -> Text,
    }
}

diesel::table! {
    contracts (id) {
        id -> Text,
        tenant_id -> Text,
        reference -> Text,
        title -> Text,
        service_id -> Text,
        provider_id -> Text,
        kind -> Text,
        status -> Text,
        value_pence -> BigInt,
        start_date -> Date,
        end_date -> Date,
        created_at -> Timestamp,
        attributes -> Text,
        version -> Integer,
        notice_months -> Integer,
        procurement_act -> Bool,
        procurement_regime -> Text,
        signed_on -> Nullable<Date>,
    }
}

diesel::table! {
    decisions (id) {
        id -> Text,
        tenant_id -> Text,
        decided_on -> Date,
        body -> Text,
        title -> Text,
        decision -> Text,
        decided_by_user_id -> Nullable<Text>,
        contract_id -> Nullable<Text>,
        project_id -> Nullable<Text>,
        recorded_at -> Timestamp,
        review_id -> Nullable<Text>,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Text,
        tenant_id -> Text,
        indicator_code -> Text,
        period_start -> Date,
        period_end -> Date,
        value -> Double,
        numerator -> Nullable<BigInt>,
        denominator -> Nullable<BigInt>,
        age_from -> Nullable<Integer>,
        age_to -> Nullable<Integer>,
        sex -> Nullable<Text>,
        area -> Nullable<Text>,
        group_name -> Nullable<Text>,
        breakdown_key -> Text,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        title -> Text,
        outcome_code -> Text,
        unit -> Text,
        polarity -> Text,
        description -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        tenant_id -> Nullable<Text>,
        idempotency_key -> Text,
        message_id -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        kind -> Nullable<Text>,
        subject_kind -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        due_on -> Nullable<Date>,
        recipient_user_id -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        give_up_at -> Nullable<Timestamp>,
        unsubscribe_url -> Nullable<Text>,
    }
}

diesel::table! {
    calendar_feeds (token_hash) {
        token_hash -> Text,
        tenant_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    unsubscribe_tokens (token_hash) {
        token_hash -> Text,
        tenant_id -> Text,
        user_id -> Text,
        topic -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminder_preferences (tenant_id, user_id, topic) {
        tenant_id -> Text,
        user_id -> Text,
        topic -> Text,
        mode -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_settings (tenant_id) {
        tenant_id -> Text,
        lead_days -> Text,
        updated_at -> Timestamp,
        version -> Integer,
        digest_hour -> Integer,
        time_zone -> Text,
    }
}

diesel::table! {
    reminder_digest_items (key) {
        key -> Text,
        tenant_id -> Text,
        user_id -> Text,
        due_on -> Date,
        body -> Text,
        kind -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        content -> Text,
        created_at -> Timestamp,
        digest_key -> Nullable<Text>,
    }
}

diesel::table! {
    body_members (tenant_id, body, user_id) {
        tenant_id -> Text,
        body -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        role -> Text,
        provider_id -> Nullable<Text>,
        created_at -> Timestamp,
        display_name -> Text,
    }
}

diesel::table! {
    monitoring_returns (id) {
        id -> Text,
        tenant_id -> Text,
        kpi_id -> Text,
        period_start -> Date,
        period_end -> Date,
        value -> Double,
        note -> Text,
        submitted_by_user_id -> Nullable<Text>,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    needs (id) {
        id -> Text,
        tenant_id -> Text,
        outcome_code -> Text,
        title -> Text,
        description -> Text,
        group_name -> Nullable<Text>,
        age_from -> Nullable<Integer>,
        age_to -> Nullable<Integer>,
        area -> Nullable<Text>,
        evidence -> Text,
        source -> Text,
        identified_on -> Date,
        created_at -> Timestamp,
        version -> Integer,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outcomes (code) {
        code -> Text,
        title -> Text,
        position -> Integer,
    }
}

diesel::table! {
    plugins (id, version) {
        id -> Text,
        version -> Text,
        wit_version -> Text,
        name -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        component -> Binary,
        approved_at -> Timestamp,
        approved_by -> Nullable<Text>,
        added_by -> Nullable<Text>,
        approved -> Bool,
    }
}

diesel::table! {
    priorities (id) {
        id -> Text,
        tenant_id -> Text,
        outcome_code -> Text,
        need_id -> Nullable<Text>,
        title -> Text,
        rationale -> Text,
        rank -> Integer,
        attributes -> Text,
        created_at -> Timestamp,
        version -> Integer,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    project_stage_history (id) {
        id -> Text,
        tenant_id -> Text,
        project_id -> Text,
        from_stage -> Nullable<Text>,
        to_stage -> Text,
        moved_at -> Timestamp,
        moved_by_user_id -> Nullable<Text>,
        findings -> Text,
        note -> Text,
    }
}

diesel::table! {
    providers (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        sector -> Text,
        registration_number -> Nullable<Text>,
        safeguarding_evidence -> Nullable<Text>,
        safeguarding_checked_on -> Nullable<Date>,
        created_at -> Timestamp,
        attributes -> Text,
        version -> Integer,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        tenant_id -> Text,
        contract_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        kind -> Text,
        title -> Text,
        due_on -> Date,
        owner_user_id -> Nullable<Text>,
        owner_body -> Nullable<Text>,
        status -> Text,
        outcome -> Nullable<Text>,
        completed_on -> Nullable<Date>,
        notes -> Text,
        created_at -> Timestamp,
        version -> Integer,
        evidence -> Text,
        follow_up_project_id -> Nullable<Text>,
    }
}

diesel::table! {
    self_evaluation_scores (id) {
        id -> Text,
        tenant_id -> Text,
        self_evaluation_id -> Text,
        standard_code -> Text,
        score -> Integer,
        evidence -> Text,
        options -> Text,
        rater -> Text,
    }
}

diesel::table! {
    self_evaluations (id) {
        id -> Text,
        tenant_id -> Text,
        standards_set -> Text,
        title -> Text,
        evaluated_on -> Date,
        created_by_user_id -> Nullable<Text>,
        summary -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_outcomes (service_id, outcome_code) {
        tenant_id -> Text,
        service_id -> Text,
        outcome_code -> Text,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        tenant_id -> Text,
        provider_id -> Text,
        name -> Text,
        description -> Text,
        tier -> Text,
        level -> Nullable<Text>,
        area -> Nullable<Text>,
        age_from -> Integer,
        age_to -> Integer,
        annual_budget_pence -> BigInt,
        created_at -> Timestamp,
        attributes -> Text,
        version -> Integer,
        archived_at -> Nullable<Timestamp>,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    tenants (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        ons_code -> Text,
        region -> Text,
        status -> Text,
        plugin_id -> Nullable<Text>,
        plugin_version -> Nullable<Text>,
        reminder_lead_days -> Text,
        share_indicators -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        is_operator -> Bool,
        created_at -> Timestamp,
    }
}
diesel::table! {
    signups (id) {
        id -> Text,
        council_name -> Text,
        ons_code -> Text,
        region -> Text,
        admin_name -> Text,
        admin_email -> Text,
        plugin_id -> Text,
        plugin_version -> Text,
        slug -> Text,
        status -> Text,
        tenant_id -> Nullable<Text>,
        created_at -> Timestamp,
        email_confirmed_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    email_tokens (token_hash) {
        token_hash -> Text,
        purpose -> Text,
        email -> Text,
        tenant_id -> Nullable<Text>,
        signup_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tenant_oidc (tenant_id) {
        tenant_id -> Text,
        issuer -> Text,
        client_id -> Text,
        client_secret_sealed -> Text,
        allowed_domains -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        tenant_id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Nullable<Text>,
        data -> Text,
        expires_at -> Timestamp,
    }
}
diesel::joinable!(contracts -> services (service_id));
diesel::joinable!(contracts -> providers (provider_id));
diesel::joinable!(services -> providers (provider_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(memberships -> tenants (tenant_id));
diesel::joinable!(service_outcomes -> services (service_id));
diesel::joinable!(service_outcomes -> outcomes (outcome_code));
diesel::joinable!(indicator_values -> indicators (indicator_code));
diesel::joinable!(indicators -> outcomes (outcome_code));
diesel::joinable!(reviews -> contracts (contract_id));
diesel::joinable!(contract_kpis -> contracts (contract_id));
diesel::joinable!(monitoring_returns -> contract_kpis (kpi_id));
diesel::joinable!(contract_contributions -> contracts (contract_id));
diesel::joinable!(contract_events -> contracts (contract_id));
diesel::joinable!(priorities -> needs (need_id));
diesel::joinable!(needs -> outcomes (outcome_code));
diesel::joinable!(priorities -> outcomes (outcome_code));
diesel::joinable!(project_stage_history -> commissioning_projects (project_id));
diesel::joinable!(self_evaluation_scores -> self_evaluations (self_evaluation_id));

diesel::table! {
    ref_releases (source) {
        source -> Text,
        sha256 -> Text,
        imported_at -> Timestamp,
        released_on -> Nullable<Date>,
        rows_read -> Integer,
        values_stored -> Integer,
        values_missing -> Integer,
        rows_refused -> Integer,
    }
}

diesel::table! {
    ref_measures (code) {
        code -> Text,
        title -> Text,
        topic -> Text,
        polarity -> Text,
        unit -> Text,
        dps -> Nullable<Integer>,
        year_type -> Text,
        quartiles -> Bool,
        description -> Text,
        methodology -> Text,
        source -> Text,
        last_update -> Text,
    }
}

diesel::table! {
    ref_areas (code) {
        code -> Text,
        kind -> Text,
        name -> Text,
        region -> Nullable<Text>,
    }
}

diesel::table! {
    ref_values (measure, area, period) {
        measure -> Text,
        area -> Text,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        period_kind -> Text,
        period_status -> Text,
        value -> Nullable<Double>,
    }
}

diesel::table! {
    ref_neighbours (edition, area, rank) {
        edition -> Text,
        area -> Text,
        rank -> Integer,
        neighbour -> Text,
        closeness -> Text,
    }
}

diesel::table! {
    ref_geography (ons_code) {
        ons_code -> Text,
        dfe_code -> Nullable<Text>,
        name -> Text,
        region_ons_code -> Nullable<Text>,
        status -> Text,
    }
}

diesel::table! {
    comparison_groups (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        members -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_shares (tenant_id, indicator_code) {
        tenant_id -> Text,
        indicator_code -> Text,
        shared_by -> Text,
        shared_at -> Timestamp,
    }
}

diesel::table! {
    shared_cells (tenant_id, indicator_code, period_start, dimension, cell) {
        tenant_id -> Text,
        indicator_code -> Text,
        period_start -> Date,
        period_end -> Date,
        dimension -> Text,
        cell -> Text,
        count_shown -> Text,
        rate_shown -> Text,
        count_value -> Nullable<BigInt>,
        rate_value -> Nullable<Double>,
        published_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    comparison_groups,
    indicator_shares,
    shared_cells,
    api_tokens,
    audit_log,
    calendar_feeds,
    commissioning_projects,
    contract_contributions,
    contract_events,
    contract_kpis,
    contracts,
    decisions,
    email_tokens,
    indicator_values,
    indicators,
    mail_outbox,
    memberships,
    reminder_preferences,
    reminder_settings,
    reminder_digest_items,
    body_members,
    ref_releases,
    ref_measures,
    ref_areas,
    ref_values,
    ref_neighbours,
    ref_geography,
    unsubscribe_tokens,
    monitoring_returns,
    needs,
    outcomes,
    plugins,
    priorities,
    project_stage_history,
    providers,
    reviews,
    self_evaluation_scores,
    self_evaluations,
    service_outcomes,
    services,
    sessions,
    signups,
    tenant_oidc,
    tenants,
    users,
);
