"""Admin: the editor pages, the admin API, revisions, learner reports and bank interchange."""
