from django.db import models


class Entry(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    country = models.CharField(max_length=2)

    class Meta:
        app_label = "minimal"

    def __str__(self):
        return self.name
