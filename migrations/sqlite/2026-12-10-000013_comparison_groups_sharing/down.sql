DROP TABLE shared_cells;
DROP TABLE indicator_shares;
DROP TABLE comparison_groups;
DROP INDEX ref_values_period;
