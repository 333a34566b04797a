DROP TABLE ref_geography;
DROP TABLE ref_neighbours;
DROP TABLE ref_values;
DROP TABLE ref_areas;
DROP TABLE ref_measures;
DROP TABLE ref_releases;
