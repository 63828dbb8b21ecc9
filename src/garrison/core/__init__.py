"""The shared model: findings, reports, severities, fingerprints, errors, config."""
