/** The taxonomy file format is a shared contract (the API validates expert skills against it): it lives in @chorus/schemas. */
export { Taxonomy, TopicDefinition } from '@chorus/schemas';
