-- The database every Sluice table lives in.
CREATE DATABASE IF NOT EXISTS sluice
