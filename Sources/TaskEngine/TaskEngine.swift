// The TaskEngine module.
