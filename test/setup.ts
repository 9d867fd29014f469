/** Loaded before every test file: the product's progress and migration logs stay out of the test report. */
process.env.APPRAISAL_QUIET = '1';
